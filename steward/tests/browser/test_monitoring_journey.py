"""Journey (issue 6, seed 002): one contract's annual monitoring cycle walked through every stage
as the contract manager and the provider — risk, notification, self-assessment, assessment with a
visit, the visit, judgement, the results letter — ending with the provider downloading the letter
PDF, appealing, and the appeal decided. Every page checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from steward.monitoring import calc
from steward.monitoring.models import Cycle
from steward.parties.models import Role
from steward.testing.factories import PASSWORD

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose(page, name: str, value: str) -> None:
    """Tick a USWDS radio button (the input is visually hidden: click its label)."""
    radio = page.locator(f"input[name='{name}'][value='{value}']")
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()


def _areas(page, rating: str, text: str) -> None:
    for key, _ in calc.JUDGEMENT_AREAS:
        _choose(page, f"{key}_rating", rating)
        page.locator(f"[name='{key}_evidence']").fill(f"{text} ({key}).")


def _step(watched, name: str) -> None:
    page = watched.page
    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    watched.check()


def _submit(watched, name: str, done: str) -> None:
    page = watched.page
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert done in page.content(), page.content()[:3000]
    watched.check()


def test_whole_cycle_ends_with_the_letter_downloaded_and_an_appeal_decided(
    watched, make_user, manager, contract
):
    today = timezone.localdate().isoformat()
    contract.contract_manager = manager
    contract.save()
    provider_user = make_user(Role.PROVIDER_USER, username="provider")
    page = watched.page

    # stages 1 and 2: the contract manager starts the cycle and notifies the provider
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/monitoring/contracts/{contract.pk}/")
    watched.check()
    page.get_by_role("button", name="Start this year's cycle").click()
    page.wait_for_load_state()
    watched.check()
    cycle = Cycle.objects.get(contract=contract)
    page.goto(f"/monitoring/{cycle.pk}/")
    page.get_by_role("button", name="Send the notification and self-assessment form").click()
    page.wait_for_load_state()
    watched.check()
    page.context.clear_cookies()

    # the provider completes the self-assessment in its own view
    sign_in(watched, provider_user.username, PASSWORD)
    page.goto(f"/monitoring/{cycle.pk}/")
    watched.check()
    _step(watched, "Complete the self-assessment")
    _areas(page, "good", "Our quarterly returns and files")
    _choose(page, "qaf_level", "B")
    page.locator("[name='qaf_upgrades']").fill("Support planning moved from C to B.")
    _submit(watched, "Submit the self-assessment", "Self-assessment submitted.")
    page.context.clear_cookies()

    # stages 3 to 7 as the contract manager
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/monitoring/{cycle.pk}/")
    _step(watched, "Assess the self-assessment and choose the route")
    _choose(page, "route", "full")
    page.locator("[name='notes']").fill("Credible; the QAF upgrade is to be seen at the visit.")
    page.locator("[name='visit_planned_for']").fill(today)
    page.locator("[name='visit_agenda']").fill("10:00 staff; 11:30 service users; 14:00 files")
    page.locator("[name='user_consultation']").fill("A group meeting with tenants")
    _submit(watched, "Record the assessment", "Assessment recorded.")

    _step(watched, "Record the visit")
    page.locator("[name='visited_on']").fill(today)
    page.locator("[name='staff_met']").fill("Service manager and two support workers")
    page.locator("[name='self_assessment_review']").fill("Agreed; QAF upgrade confirmed.")
    page.locator("[name='service_users_met']").fill("Six tenants at a group meeting")
    page.locator("[name='dq_sampled']").fill("10")
    page.locator("[name='dq_matched']").fill("9")
    _submit(watched, "Record the visit", "Visit recorded.")

    _step(watched, "Record the judgement")
    _areas(page, "good", "Seen at the visit and in the returns")
    _submit(watched, "Record the judgement", "Judgement recorded.")

    _step(watched, "Write the results letter and action plan")
    page.locator("[name='results_summary']").fill("A good service meeting its targets.")
    page.locator("[name='future_funding']").fill("Funding continues at the current level.")
    page.locator("[name='future_specification']").fill("No change to the specification.")
    page.locator("[name='action_1_description']").fill("Train two staff in safeguarding.")
    page.locator("[name='action_1_owner']").fill("Service manager")
    page.locator("[name='action_1_horizon_months']").select_option("3")
    _submit(watched, "Send the letter", "Results letter sent to the provider.")
    page.context.clear_cookies()

    # the provider downloads the letter and appeals within 14 days
    sign_in(watched, provider_user.username, PASSWORD)
    page.goto(f"/monitoring/{cycle.pk}/")
    watched.check()
    with page.expect_download() as download:
        page.get_by_role("link", name="Monitoring results letter and report").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    _step(watched, "Appeal a decision")
    page.locator("[name='grounds']").fill("The funding judgement ignores the Q4 figures.")
    _submit(watched, "Lodge the appeal", "Appeal lodged.")
    page.context.clear_cookies()

    # the contract manager decides the appeal; the outcome is sent and the cycle closes
    sign_in(watched, manager.username, PASSWORD)
    page.goto(f"/monitoring/{cycle.pk}/")
    _step(watched, "Decide the appeal")
    _choose(page, "outcome", "partly_upheld")
    page.locator("[name='decision']").fill("Funding judgement raised to good on the Q4 figures.")
    _submit(watched, "Send the decision", "Appeal decided; the provider has been sent the outcome.")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.appeal_outcome) == ("closed", "partly_upheld")
    assert cycle.letter_document is not None
