"""How values read (issue 21 point 6): money in the agency's currency, one date format, scores
with one decimal, people by name; the template filters and the plain functions behind them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from steward.core.context_processors import steward as steward_context
from steward.core.formatting import fmt_date, fmt_money, fmt_score, person_name
from steward.parties.models import Role
from steward.testing.factories import AgencyFactory


def render(text: str, **context) -> str:
    return Template("{% load steward %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (D("1850000"), "USD", "$1,850,000.00"),
        (D("1850000"), "GBP", "£1,850,000.00"),
        (D("960000.00"), "USD", "$960,000.00"),
        (D("109998.555"), "USD", "$109,998.56"),
        (D("-3"), "GBP", "-£3.00"),
        (D("10"), "CAD", "CAD 10.00"),
        (0, "GBP", "£0.00"),
    ],
)
def test_money_is_written_in_its_currency_with_separators(amount, currency, expected):
    assert fmt_money(amount, currency) == expected
    assert render("{{ a|money:c }}", a=amount, c=currency) == expected


def test_money_without_an_amount_is_a_dash_and_without_a_currency_keeps_separators():
    assert render("{{ a|money:'USD' }}", a=None) == "—"
    assert render("{{ a|money }}", a=D("4000")) == "4,000.00"


def test_the_money_filter_reads_the_readers_agency_currency(packs, make_user):
    """A page that says `{{ amount|money:currency }}` writes the agency's currency: dollars
    for a US pack, pounds for a UK one."""
    for slug, expected in (("connecticut-opm", "$4,000.00"), ("west-london-sp", "£4,000.00")):
        agency = AgencyFactory(slug=f"a-{slug}", name=slug, pack=packs[slug])
        user = make_user(Role.CONTRACT_MANAGER, agency=agency)
        request = RequestFactory().get("/")
        request.user = user
        currency = steward_context(request)["currency"]
        assert render("{{ a|money:currency }}", a=D("4000"), currency=currency) == expected


def test_one_date_format_on_pages_and_in_messages():
    assert fmt_date(date(2027, 3, 16)) == "16 March 2027"
    assert render("{{ d|date }}", d=date(2027, 3, 6)) == "6 March 2027"
    assert render("{{ d }}", d=date(2027, 3, 6)) == "6 March 2027"
    assert render('{{ d|date:"DATETIME_FORMAT" }}', d=datetime(2027, 3, 6, 9, 5)) == (
        "6 March 2027 09:05"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("88.0000"), "88.0"),
        (D("72.50"), "72.5"),
        (D("72.45"), "72.45"),
        (D("89.96"), "89.96"),  # never "90.0" beside a threshold of 90
        (90, "90.0"),
        (D("0"), "0.0"),
    ],
)
def test_scores_have_one_decimal_or_the_hundredths_they_carry(value, expected):
    assert fmt_score(value) == expected
    assert render("{{ s|score }}", s=value) == expected


def test_no_score_is_a_dash():
    assert render("{{ s|score }}", s=None) == "—"


def test_people_are_shown_by_name_and_by_username_only_without_one():
    named = SimpleNamespace(username="manager", get_full_name=lambda: "Marcus Bell")
    unnamed = SimpleNamespace(username="svc-import", get_full_name=lambda: " ")
    assert person_name(named) == "Marcus Bell"
    assert person_name(unnamed) == "svc-import"
    assert person_name(None) == ""
    assert render("{{ u|person }}", u=named) == "Marcus Bell"
    assert render("{{ u|person }}", u=None) == "—"


@pytest.mark.django_db
def test_a_user_reads_as_their_name(make_user):
    user = make_user(Role.CONTRACT_MANAGER, username="cm1", first_name="Ada", last_name="Lee")
    assert str(user) == "Ada Lee"
