"""Journey (issues 7 and 16, seeds 000 and 001): a contract completes; its contract manager
finds the closeout evaluation on their work list, writes it and releases it; the provider finds
the evaluation on theirs, acknowledges it and comments; the reviewing official (a senior
manager: the contract's manager wrote it) finds it on theirs and finalises it; another agency's
contract manager finds it on the provider's page. Each person starts from the home page and
clicks the item; every page checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from steward.contracts.services import contract_complete
from steward.evaluations.models import Evaluation
from steward.parties.models import Role
from steward.testing.factories import PASSWORD, ContractFactory

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def work_item(watched: Any, todo: str) -> None:
    """On the home page the person lands on when they sign in, click the work list item
    `todo`."""
    page = watched.page
    assert urlsplit(page.url).path == "/", page.url
    watched.check()
    work = page.locator("section", has=page.get_by_role("heading", name="What you need to do"))
    work.get_by_role("link", name=todo).click()
    page.wait_for_load_state()
    watched.check()


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

    # the contract manager starts the closeout evaluation from their work list
    sign_in(watched, manager.username, PASSWORD)
    work_item(watched, f"Write the closeout evaluation of {contract.number}")
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
    assert page.get_by_role("heading", name="What will happen").is_visible()  # issue 21
    watched.check()
    page.get_by_role("button", name="Release to the provider").click()
    page.wait_for_load_state()
    watched.check()
    evaluation = Evaluation.objects.get(contract=contract)
    assert evaluation.status == "released" and str(evaluation.score) == "91.25"
    page.context.clear_cookies()

    # the provider finds it on their work list, acknowledges it and comments within the window
    sign_in(watched, provider_user.username, PASSWORD)
    work_item(watched, f"Read and comment on the evaluation of {contract.number}")
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

    # the reviewing official (not the author) finds it on their work list and finalises it
    sign_in(watched, senior.username, PASSWORD)
    work_item(watched, f"Review and finalise the evaluation of {contract.number}")
    assert "You are asked to finalise it" in page.content()
    page.get_by_role("button", name="Finalise the evaluation").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What will happen").is_visible()  # issue 21
    watched.check()
    page.get_by_role("button", name="Finalise the evaluation").click()
    page.wait_for_load_state()
    watched.check()
    evaluation.refresh_from_db()
    assert evaluation.status == "finalised" and evaluation.finalised_by == senior
    # met: it has left the work list
    page.goto("/")
    assert f"finalise the evaluation of {contract.number}" not in page.content()
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
