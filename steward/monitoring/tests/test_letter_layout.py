"""The results letter and the notification pack as letters worth sending (issue 21 point 7):
the agency's letterhead and the provider's address, the signatory, dates written out, Letter
paper for a US agency and A4 for a UK council, tagged PDF (PDF/UA-1); the preview before
sending and who may see it."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from steward.monitoring import services
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import walk
from steward.monitoring.tests.pages import at, signed_in, text
from steward.parties.models import Role
from steward.testing.pdf_check import is_tagged, language, page_sizes

pytestmark = pytest.mark.django_db

LETTER_PAPER = (612, 792)
A4 = (595, 842)


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user")


@pytest.fixture
def addressed(live, provider):
    """The agency with its letterhead filled in, the provider with its postal address."""
    agency = live.agency
    agency.address = "505 Hudson Street\nHartford, CT 06106"
    agency.contact_email = "contracts@dcf.example.gov"
    agency.signatory_name = "Jordan Reyes"
    agency.signatory_title = "Director of Contracts"
    agency.save()
    provider.address_line1 = "12 Main Street"
    provider.city = "Hartford"
    provider.region = "CT"
    provider.postcode = "06103"
    provider.save()
    return live


def _letter_pdf(cycle: Cycle) -> bytes:
    with cycle.letter_document.file.open("rb") as stream:
        return stream.read()


def test_the_sent_results_letter_is_a_tagged_us_letter_under_the_letterhead(
    addressed, manager, provider_user
):
    cycle = walk(addressed, manager=manager, provider_user=provider_user, to="letter")
    pdf = _letter_pdf(cycle)
    assert is_tagged(pdf)
    assert language(pdf) == "en-US"
    assert page_sizes(pdf) == {LETTER_PAPER}
    context = services.letter_context(cycle, cycle.actions.all(), cycle.appeal_due.due_date)
    html = render_to_string("monitoring/letter_pdf.html", context)
    assert '<html lang="en-US">' in html
    for line in (
        "505 Hudson Street",
        "Hartford, CT 06106",
        "contracts@dcf.example.gov",
        "Bright Futures Family Services, Inc.",
        "12 Main Street",
        "Hartford, CT 06103",
        "Jordan Reyes",
        "Director of Contracts",
    ):
        assert line in html
    # the actual last day to appeal, written out the US way (not "within 14 days")
    due = cycle.appeal_due.due_date
    assert f"by {due:%B} {due.day}, {due.year}" in html


def test_a_uk_councils_letter_is_a4_with_the_day_first(addressed, manager, provider_user, packs):
    """seed 002 stage 8: "appeal by 16 March 2027"."""
    agency = addressed.agency
    agency.pack = packs["west-london-sp"]
    agency.save()
    cycle = walk(
        addressed, manager=manager, provider_user=provider_user, to="letter", start=date(2027, 2, 1)
    )
    pdf = _letter_pdf(cycle)
    assert is_tagged(pdf) and language(pdf) == "en-GB"
    assert page_sizes(pdf) == {A4}
    context = services.letter_context(cycle, cycle.actions.all(), cycle.appeal_due.due_date)
    html = render_to_string("monitoring/letter_pdf.html", context)
    due = cycle.appeal_due.due_date
    assert f"by {due.day} {due:%B %Y}" in html


def test_the_notification_pack_has_the_letterhead_and_the_date_to_reply_by(
    addressed, manager, provider_user
):
    cycle = walk(addressed, manager=manager, provider_user=provider_user, to="notified")
    response = signed_in(manager).get(reverse("monitoring:notification_pdf", args=[cycle.pk]))
    assert response.status_code == 200
    pdf = response.content
    assert is_tagged(pdf) and page_sizes(pdf) == {LETTER_PAPER}


LETTER = {
    "results_summary": "A good service.",
    "future_funding": "Continues.",
    "future_specification": "No change.",
    "action_1_description": "Train staff",
    "action_1_owner": "Service manager",
    "action_1_horizon_months": "3",
}


def test_the_letter_is_sent_only_from_its_preview(addressed, manager, provider_user):
    """The form has no send button until the letter is previewed; a post without the
    preview's fingerprint (or with a stale one) previews, it does not send."""
    cycle = walk(addressed, manager=manager, provider_user=provider_user, to="judged")
    url = reverse("monitoring:letter", args=[cycle.pk])
    day = cycle.judged_on
    with at(day):
        client = signed_in(manager)
        form = text(client.get(url))
        assert "Preview the letter" in form and "Send the letter</button>" not in form
        bare = client.post(url, LETTER)  # a send without a preview
        assert bare.status_code == 200
        assert "Read the letter before sending it." in text(bare)
        assert Cycle.objects.get(pk=cycle.pk).letter_on is None
        forged = client.post(url, {**LETTER, "previewed": "0" * 64})
        assert forged.status_code == 200 and Cycle.objects.get(pk=cycle.pk).letter_on is None
        preview = client.post(url, {**LETTER, "preview": "1"})
        html = text(preview)
        assert "Preview of the letter" in html and "Send the letter</button>" in html
        assert "505 Hudson Street" in html and "12 Main Street" in html  # the letterhead
        assert "Jordan Reyes" in html
        sent = client.post(url, {**LETTER, "previewed": preview.context["previewed"]})
    assert sent.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).letter_on == day


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONTRACT_MANAGER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.CONTRACT_MONITOR, 403),
        (Role.FINANCE_OFFICER, 403),
        (Role.PROVIDER_USER, 403),
    ],
)
def test_who_may_preview_the_letter(addressed, manager, provider_user, make_user, role, status):
    cycle = walk(addressed, manager=manager, provider_user=provider_user, to="judged")
    user = {Role.CONTRACT_MANAGER: manager, Role.PROVIDER_USER: provider_user}.get(role)
    user = user or make_user(role)
    with at(cycle.judged_on):
        response = signed_in(user).post(
            reverse("monitoring:letter", args=[cycle.pk]), {**LETTER, "preview": "1"}
        )
    assert response.status_code == status
    assert Cycle.objects.get(pk=cycle.pk).letter_on is None
