"""Journey (issues 6 and 16, seed 002): one contract's annual monitoring cycle walked through
every stage as the contract manager and the provider — risk, notification, self-assessment,
assessment with a visit, the visit, judgement, the results letter — ending with the provider
appealing and downloading the letter PDF, and the appeal decided. Each person starts where they
start in Steward, their home page: what is due is on their work list and they click it (the
self-assessment, the visit, the results letter, the appeal); the steps no deadline asks for are
reached through the navigation, never a typed address. Every page checked with axe-core
(WCAG 2.2 AA)."""

from __future__ import annotations

import pytest

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


def _click(watched, name: str) -> None:
    """Follow the link `name` (the first one) and check the page it opens."""
    page = watched.page
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()
    watched.check()


def _submit(watched, name: str, done: str) -> None:
    page = watched.page
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    assert done in page.content(), page.content()[:3000]
    watched.check()


def _from_the_work_list(watched, todo: str) -> None:
    """Go home and click the work list's item `todo`."""
    page = watched.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.wait_for_load_state()
    watched.check()
    assert page.get_by_role("heading", name="What you need to do").is_visible()
    _click(watched, todo)


def _as(watched, user) -> None:
    """Sign out whoever was signed in, and sign in as `user`: Steward opens on their home."""
    watched.page.context.clear_cookies()
    sign_in(watched, user.username, PASSWORD)
    assert watched.page.get_by_role("heading", name="What you need to do").is_visible()
    watched.check()


def _nav(watched, name: str) -> None:
    page = watched.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
    page.wait_for_load_state()
    watched.check()


def test_whole_cycle_from_the_work_list_to_the_appeal_decided(
    watched, make_user, manager, contract
):
    contract.contract_manager = manager
    contract.save()
    number = contract.number
    today = contract.agency.today().isoformat()  # the agency's own today (Connecticut)
    provider_user = make_user(Role.PROVIDER_USER, username="provider")
    page = watched.page

    # stages 1 and 2: the contract manager finds the contract and starts its cycle
    _as(watched, manager)
    _nav(watched, "Contracts")
    _click(watched, number)
    _click(watched, f"Monitoring of {number}")
    page.get_by_role("button", name="Start this year's cycle").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("button", name="Send the notification and self-assessment form").click()
    page.wait_for_load_state()
    watched.check()
    cycle = Cycle.objects.get(contract=contract)
    assert cycle.stage == 2

    # the provider finds the self-assessment on its work list and completes it
    _as(watched, provider_user)
    _from_the_work_list(watched, f"Complete the self-assessment for {number}")
    _areas(page, "good", "Our quarterly returns and files")
    _choose(page, "qaf_level", "B")
    page.locator("[name='qaf_upgrades']").fill("Support planning moved from C to B.")
    _submit(watched, "Submit the self-assessment", "Self-assessment submitted.")

    # stage 3: nothing is due yet; the manager opens the cycle from the monitoring list
    _as(watched, manager)
    _nav(watched, "Monitoring")
    _click(watched, number)
    _click(watched, "Assess the self-assessment and choose the route")
    _choose(page, "route", "full")
    page.locator("[name='notes']").fill("Credible; the QAF upgrade is to be seen at the visit.")
    page.locator("[name='visit_planned_for']").fill(today)
    page.locator("[name='visit_agenda']").fill("10:00 staff; 11:30 service users; 14:00 files")
    page.locator("[name='user_consultation']").fill("A group meeting with tenants")
    _submit(watched, "Record the assessment", "Assessment recorded.")

    # stage 4: the visit is on the manager's work list today
    _from_the_work_list(watched, f"Visit the service of {number} and record the visit")
    page.locator("[name='visited_on']").fill(today)
    page.locator("[name='staff_met']").fill("Service manager and two support workers")
    page.locator("[name='self_assessment_review']").fill("Agreed; QAF upgrade confirmed.")
    page.locator("[name='service_users_met']").fill("Six tenants at a group meeting")
    page.locator("[name='dq_sampled']").fill("10")
    page.locator("[name='dq_matched']").fill("9")
    _submit(watched, "Record the visit", "Visit recorded.")

    # stages 5 and 7: the letter is now due; its page says the judgement comes first
    letter = f"Send the monitoring results letter and report for {number}"
    _from_the_work_list(watched, letter)
    assert "This step is not open" in page.content()
    _click(watched, f"Back to the {cycle.year} cycle")
    _click(watched, "Record the judgement")
    _areas(page, "good", "Seen at the visit and in the returns")
    _submit(watched, "Record the judgement", "Judgement recorded.")
    _from_the_work_list(watched, letter)
    page.locator("[name='results_summary']").fill("A good service meeting its targets.")
    page.locator("[name='future_funding']").fill("Funding continues at the current level.")
    page.locator("[name='future_specification']").fill("No change to the specification.")
    page.locator("[name='action_1_description']").fill("Train two staff in safeguarding.")
    page.locator("[name='action_1_owner']").fill("Service manager")
    page.locator("[name='action_1_horizon_months']").select_option("3")
    _submit(watched, "Send the letter", "Check the letter, then send it")  # issue 21
    _submit(watched, "Send the letter", "Results letter sent to the provider.")
    # the letter met its due date: it has left the work list
    _nav(watched, "Home")
    assert page.get_by_role("link", name=letter).count() == 0

    # stage 8: the provider may appeal (its work list says so) and downloads the letter
    _as(watched, provider_user)
    _from_the_work_list(watched, f"Appeal the monitoring decision on {number}, if you wish to")
    page.locator("[name='grounds']").fill("The funding judgement ignores the Q4 figures.")
    _submit(watched, "Lodge the appeal", "Appeal lodged.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Monitoring results letter and report").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    _nav(watched, "Home")
    assert "You have nothing to do at the moment." in page.content()

    # the contract manager decides the appeal; the outcome is sent and the cycle closes
    _as(watched, manager)
    _nav(watched, "Monitoring")
    _click(watched, number)
    _click(watched, "Decide the appeal")
    _choose(page, "outcome", "partly_upheld")
    page.locator("[name='decision']").fill("Funding judgement raised to good on the Q4 figures.")
    _submit(watched, "Send the decision", "Appeal decided; the provider has been sent the outcome.")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.appeal_outcome) == ("closed", "partly_upheld")
    assert cycle.letter_document is not None
