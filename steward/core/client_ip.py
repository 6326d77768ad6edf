"""The client's address, read correctly behind the reverse proxies the operator trusts
(docs/security.md §15).

`X-Forwarded-For` is believed only when the request comes from a trusted proxy
(STEWARD_TRUSTED_PROXIES: addresses or networks, comma-separated, e.g. "10.0.0.5,10.1.0.0/16").
The header is read from the right: each hop appended by a trusted proxy is skipped, and the
first address not a trusted proxy is the client. Anything a client writes into the header
itself sits to the left of that and is ignored, so a client cannot choose the address its login
failures are counted against."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(raw: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in raw if item.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def trusted(address: Any, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: Any) -> str | None:
    """The address of the person making `request` (None when the server was given none)."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "STEWARD_TRUSTED_PROXIES", ())))
    if not networks or not trusted(remote, networks):
        return str(remote)
    client = remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: believe nothing to its left
        client = address
        if not trusted(address, networks):
            break
    return str(client)
