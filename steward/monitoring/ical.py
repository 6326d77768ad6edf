"""The personal calendar (the person's work list by date) as iCalendar (RFC 5545): the download
and the feed a calendar app subscribes to.

A calendar app cannot sign in, so the feed's address carries a token:
`signing.Signer(salt="steward.calendar")` signs "<user id>:<fragment>", where the fragment is
derived from the user's password hash (an HMAC of it, keyed with SECRET_KEY). The token is
stable, so the address can be pasted once into a calendar app; it stops working when

- the person changes their password (or an administrator sets a new one): the fragment no
  longer matches, which is how a person revokes an address they shared by mistake;
- the account is deactivated;
- SECRET_KEY changes (every token at once).

A token that does not verify answers 404, like an address that never existed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from steward.monitoring.selectors import CalendarItem

SALT = "steward.calendar"
#: the feed and the download cover one month back and twelve months ahead
DAYS_BEFORE = 31
DAYS_AFTER = 366


def _fragment(user: Any) -> str:
    """12 hex characters that change whenever the user's password hash changes."""
    return salted_hmac(SALT, user.password or "", algorithm="sha256").hexdigest()[:12]


def feed_token(user: Any) -> str:
    """The token of `user`'s calendar feed address (URL-safe: digits, hex, base64url, ':')."""
    return signing.Signer(salt=SALT).sign(f"{user.pk}:{_fragment(user)}")


def user_for_token(token: str) -> Any | None:
    """The active user whose feed `token` opens, or None when the token is forged, altered,
    revoked by a password change, or its user is gone or inactive."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk_text, _, fragment = value.partition(":")
    if not pk_text.isdigit() or not fragment:
        return None
    user = (
        get_user_model()
        .objects.select_related("agency", "provider")
        .filter(pk=int(pk_text), is_active=True)
        .first()
    )
    if user is None or not constant_time_compare(fragment, _fragment(user)):
        return None
    return user


def feed_window(today: date) -> tuple[date, date]:
    return today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AFTER)


def render(
    items: Iterable[CalendarItem],
    *,
    absolute: Callable[[str], str],
    name: str,
    today: date,
) -> bytes:
    """The items as an iCalendar file: one all-day VEVENT each, its UID stable (the item's
    kind and id), SUMMARY the title, DESCRIPTION the detail and the page's address (made
    absolute with `absolute`)."""
    cal = Calendar()
    cal.add("prodid", "-//Steward//Contract monitoring calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT6H")
    stamp = timezone.now().replace(microsecond=0)
    for item in items:
        url = absolute(item.url)
        event = Event()
        event.add("uid", f"{item.uid}@steward")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.on)
        event.add("dtend", item.on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        overdue = item.on < today and not item.optional
        event.add("summary", f"{'OVERDUE: ' if overdue else ''}{item.title}")
        kind = item.kind_name
        lines = [
            f"{kind}, contract {item.contract_number}." if item.contract_number else f"{kind}."
        ]
        if item.detail:
            lines.append(item.detail)
        lines.append(url)
        event.add("description", "\n\n".join(lines))
        event.add("url", url)
        event.add("categories", [kind])
        cal.add_component(event)
    return cal.to_ical()
