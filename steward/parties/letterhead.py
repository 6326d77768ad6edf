"""The letterhead of an agency's letters and notices: its name, address and logo, the
provider's address, who signs, the paper and the language (docs/letters.md).

`letterhead(agency, provider=..., manager=...)` returns what the templates under
``templates/letters/`` draw; every letter and notice Steward writes passes it as
``letterhead`` so that they share one layout.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from steward.core.letters import address_lines, date_format_for, language_for, paper_for
from steward.parties.models import Agency, Provider

logger = logging.getLogger("steward.letters")

_LOGO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


@dataclass(frozen=True)
class Letterhead:
    agency_name: str
    agency_lines: list[str]
    contact_email: str
    logo: str  # a data: address, or "" for none
    paper: str  # CSS @page size: "letter" or "A4"
    language: str  # BCP 47, e.g. "en-US"
    date_format: str  # Django date format that writes dates out
    recipient_name: str = ""
    recipient_lines: list[str] = field(default_factory=list)
    signatory_name: str = ""
    signatory_title: str = ""


def provider_address(provider: Provider, *, agency_country: str = "") -> list[str]:
    """The provider's postal address as lines: street lines, then "City, ST 06106" (US) or
    the town and postcode on lines of their own (elsewhere); its country when it is not the
    agency's."""
    country = (provider.country or "").upper()
    lines = address_lines(provider.address_line1, provider.address_line2)
    if country == "US":
        town = ", ".join(p for p in (provider.city, provider.region) if p)
        lines += address_lines(" ".join(p for p in (town, provider.postcode) if p))
    else:
        lines += address_lines(provider.city, provider.region, provider.postcode)
    if country and agency_country and country != agency_country.upper():
        lines.append(country)
    return lines


def logo_data(agency: Agency) -> str:
    """The agency's logo as a ``data:`` address for the letter (nothing is fetched while a PDF
    is made); "" when it has none or its file cannot be read (the letter goes without it)."""
    if not agency.logo:
        return ""
    extension = (agency.logo.name or "").rsplit(".", 1)[-1].lower()
    content_type = _LOGO_TYPES.get(extension)
    if content_type is None:
        return ""
    try:
        with agency.logo.open("rb") as stream:
            data = stream.read()
    except OSError:
        logger.warning("The logo of %s could not be read", agency.slug, exc_info=True)
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def letterhead(
    agency: Agency, *, provider: Provider | None = None, manager: Any = None
) -> Letterhead:
    """The letterhead of a letter from `agency` to `provider` (None: no addressee block).
    Signed by the agency's signatory when it names one, else by `manager` (the contract's
    manager) as contract manager, else by the agency without a name. Reads the logo file."""
    pack = agency.pack.parsed
    country = pack.working_calendar.country
    if agency.signatory_name:
        name, title = agency.signatory_name, agency.signatory_title
    elif manager is not None and manager.get_full_name():
        name, title = manager.get_full_name(), "Contract manager"
    else:
        name, title = "", agency.signatory_title
    return Letterhead(
        agency_name=agency.name,
        agency_lines=address_lines(agency.address),
        contact_email=agency.contact_email,
        logo=logo_data(agency),
        paper=paper_for(country),
        language=language_for(country),
        date_format=date_format_for(pack.date_order),
        recipient_name=provider.legal_name if provider else "",
        recipient_lines=provider_address(provider, agency_country=country) if provider else [],
        signatory_name=name,
        signatory_title=title,
    )
