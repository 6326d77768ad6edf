"""The layout rules of letters and notices (steward.core.letters): paper, language, dates,
address lines. Issue 21 point 7."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils.dateformat import format as date_format

from steward.core import letters


@pytest.mark.parametrize(
    ("country", "paper", "language"),
    [
        ("US", "letter", "en-US"),
        ("us", "letter", "en-US"),
        ("GB", "A4", "en-GB"),
        ("IE", "A4", "en-GB"),
    ],
)
def test_us_agencies_write_on_letter_and_the_others_on_a4(country, paper, language):
    assert letters.paper_for(country) == paper
    assert letters.language_for(country) == language


def test_dates_are_written_out_in_the_packs_order():
    """seed 002: "appeal by 16 March 2027" (UK, day first); a US pack writes March 16, 2027."""
    day = date(2027, 3, 16)
    assert date_format(day, letters.date_format_for("DMY")) == "16 March 2027"
    assert date_format(day, letters.date_format_for("MDY")) == "March 16, 2027"


def test_address_lines_drop_blank_lines_and_split_texts():
    assert letters.address_lines("450 Capitol Ave\n\n  Hartford, CT 06106 ", "", "USA") == [
        "450 Capitol Ave",
        "Hartford, CT 06106",
        "USA",
    ]
    assert letters.address_lines() == []
