"""Letters and notices: the rules their layout follows, from plain values (no ORM).

`steward.parties.letterhead` applies them to an agency and a provider; the templates under
``templates/letters/`` draw the letterhead, the addresses and the signature (docs/letters.md).
"""

from __future__ import annotations

#: Countries whose offices use US Letter (8.5 x 11 in); every other uses ISO A4.
LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "PR"})
#: The largest logo accepted (bytes): it is embedded in every letter.
LOGO_MAX_BYTES = 512 * 1024
#: The logo types accepted (extensions known to steward.core.uploads).
LOGO_TYPES = ("png", "jpg", "jpeg")


def paper_for(country: str) -> str:
    """The CSS ``@page`` size of a letter from an agency in `country` (ISO 3166 alpha-2):
    ``"letter"`` (612 x 792 points) for the US and its neighbours, else ``"A4"`` (595 x 842)."""
    return "letter" if country.upper() in LETTER_COUNTRIES else "A4"


def language_for(country: str) -> str:
    """The BCP 47 language of a letter from `country`: American or British English."""
    return "en-US" if country.upper() in LETTER_COUNTRIES else "en-GB"


def date_format_for(date_order: str) -> str:
    """The Django date format that writes a day out in full in the pack's `date_order`
    ("MDY": "March 16, 2027"; "DMY": "16 March 2027")."""
    return "F j, Y" if date_order == "MDY" else "j F Y"


def address_lines(*parts: str) -> list[str]:
    """The lines of a postal address: each part split on its line breaks, stripped, the empty
    ones left out (an address kept as one text and one kept as fields alike)."""
    lines: list[str] = []
    for part in parts:
        lines.extend(line.strip() for line in (part or "").splitlines() if line.strip())
    return lines
