"""Journey (issue 7, seeds 000 and 001): a contract completes; its contract manager writes the
closeout evaluation from the contract page and releases it; the provider acknowledges it and
comments; a reviewing official finalises it; another agency's contract manager finds it on the
provider's page. Every page checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from steward.contracts.services import contract_complete
from steward.evaluations.models import Evaluation
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATINGS = {
    "Service delivery and outcomes": "4: Excellent",
    "Quality and user satisfaction": "3: Very good",
    "Timeliness and compliance": "4: Excellent",
    "Financial management": "4: Excellent",
    "Management and communication": "3: Very good",
}


def test_closeout_evaluation_written_commented_finalised_and_shared(
    watched, make_user, manager, agency, provider, other_agency
):
    today = timezone.localdate()
    contract = ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-25-310",
        title="Family preservation, Hartford",
        status="active",
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=10),
        contract_manager=manager,
    )
    contract_complete(actor=manager, contract=contract, completed_on=today - timedelta(days=10))
    provider_user = make_user(Role.PROVIDER_USER, username="provider")
    senior = make_user(Role.SENIOR_MANAGER, username="senior")
    reader = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="reader")
    page = watched.page

    # the contract manager starts the closeout evaluation from the contract page
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    watched.check()
    page.get_by_role("button", name="Start the closeout evaluation").click()
    page.wait_for_load_state()
    watched.check()
    for criterion, rating in RATINGS.items():
        group = page.get_by_role("group", name=f"Rating of {criterion.lower()}")
        group.locator("label", has_text=rating).click()
        page.get_by_label(f"{criterion}: narrative").fill("As the quarterly returns show.")
    page.get_by_label("Overall summary").fill("A strong year: targets met in every quarter.")
    page.get_by_role("button", name="Save and go back to the evaluation").click()
    page.wait_for_load_state()
    watched.check()
    # 30 + 15 + 20 + 15 + 11.25
    assert "91.25" in page.content()
    page.get_by_role("button", name="Release to the provider").click()
    page.wait_for_load_state()
    watched.check()
    evaluation = Evaluation.objects.get(contract=contract)
    assert evaluation.status == "released" and str(evaluation.score) == "91.25"
    page.context.clear_cookies()

    # the provider acknowledges it and comments within the window
    sign_in(watched, provider_user.username, PASSWORD)
    page.goto(f"/evaluations/{evaluation.pk}/")
    watched.check()
    page.get_by_role("link", name="Acknowledge or comment").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Your comments").fill("We accept the ratings; staffing improved in Q4.")
    page.locator("label", has_text="I acknowledge this evaluation").click()
    page.get_by_role("button", name="Send the response").click()
    page.wait_for_load_state()
    watched.check()
    assert "staffing improved in Q4" in page.content()
    page.context.clear_cookies()

    # a reviewing official (not the author) finalises it
    sign_in(watched, senior.username, PASSWORD)
    page.goto(f"/evaluations/{evaluation.pk}/")
    watched.check()
    page.get_by_role("button", name="Finalise the evaluation").click()
    page.wait_for_load_state()
    watched.check()
    evaluation.refresh_from_db()
    assert evaluation.status == "finalised" and evaluation.finalised_by == senior
    page.context.clear_cookies()

    # another agency's contract manager finds it on the provider's page
    sign_in(watched, reader.username, PASSWORD)
    page.goto(f"/providers/{provider.slug}/")
    watched.check()
    section = page.locator("section", has=page.get_by_role("heading", name="Evaluations"))
    assert "91.25" in section.inner_text()
    page.goto(f"/evaluations/providers/{provider.pk}/")
    watched.check()
    page.get_by_role("link", name=contract.number).first.click()
    page.wait_for_load_state()
    watched.check()
    assert "We accept the ratings" in page.content()
    # internal evidence (concerns, risk) stays with the authoring agency
    assert "Concerns, complaints and notifications logged" not in page.content()
