"""Journey (issue 22, seed 001): a Milwaukee renewal decided by a pre-renewal evaluation scored
from the Performance Evaluation Plan's metrics. The contract manager finds the renewal decision
on their work list, starts the pre-renewal evaluation from the contract's page, sees the score
worked out from the contract's own measures and releases it; the contractor acknowledges it
from their work list; the reviewing official (a senior manager) finalises it from theirs; the
contract manager then exercises the renewal option, which the score allows. Every page checked
with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from steward.contracts import services as contract_services
from steward.contracts.models import ContractType
from steward.evaluations.models import Evaluation
from steward.parties.models import Role
from steward.performance import services as performance_services
from steward.performance.models import Return
from steward.performance.tests.factories import with_signed_metrics
from steward.testing.factories import PASSWORD, AgencyFactory, ContractFactory

from .conftest import sign_in
from .test_evaluation_journey import work_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_milwaukee_renewal_decided_by_a_pre_renewal_evaluation_from_the_metrics(
    watched, make_user, packs, provider
):
    today = timezone.localdate()
    mps = AgencyFactory(name="Milwaukee Public Schools", slug="mps", pack=packs["milwaukee-mps"])
    manager = make_user(Role.CONTRACT_MANAGER, username="mps-manager", agency=mps)
    senior = make_user(Role.SENIOR_MANAGER, username="mps-senior", agency=mps)
    buyer = make_user(Role.PROCUREMENT_OFFICER, username="mps-buyer", agency=mps)
    contractor = make_user(Role.PROVIDER_USER, username="tutor", provider=provider)
    contract = ContractFactory(
        agency=mps,
        provider=provider,
        number="MPS-PS-7001",
        title="After-school tutoring",
        contract_type=ContractType.PROFESSIONAL_SERVICES,
        compensation_structure="performance_based",
        start_date=today - timedelta(days=420),
        end_date=today + timedelta(days=60),
        renewal_options=1,
        contract_manager=manager,
    )
    # seed 001: the sponsor's metrics before execution, then the contractor's returns, every
    # target met (the metrics signed off by procurement)
    first, second = with_signed_metrics(contract, manager, buyer)
    contract = contract_services.contract_execute(
        actor=manager, contract=contract, executed_on=contract.start_date - timedelta(days=10)
    )
    contract_services.contract_activate(actor=manager, contract=contract, today=today)
    for ret in Return.objects.filter(contract=contract, period_end__lt=today - timedelta(days=1)):
        performance_services.return_submit(
            actor=contractor,
            ret=ret,
            values={first.pk: Decimal("95"), second.pk: Decimal("8")},
            on=ret.period_end,
        )
    page = watched.page
    # the machine running the tests may be busy: allow slow pages rather than fail on time
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)

    # the contract manager: the renewal decision on the work list, the evaluation started
    sign_in(watched, manager.username, PASSWORD)
    work_item(watched, f"Decide whether to renew or extend {contract.number} before it ends")
    assert "Not eligible" in page.content()
    page.get_by_role("button", name="Start the pre-renewal evaluation").click()
    page.wait_for_load_state()
    watched.check()
    assert "comes from the contract's own performance measures" in page.content()
    assert "100.0 out of 100" in page.content()
    page.get_by_label("Overall summary").fill("Every target of the plan met: renew.")
    page.get_by_role("button", name="Save and go back to the evaluation").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_role("button", name="Release to the provider").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What will happen").is_visible()  # issue 21
    watched.check()
    page.get_by_role("button", name="Release to the provider").click()
    page.wait_for_load_state()
    watched.check()
    evaluation = Evaluation.objects.get(contract=contract)
    assert evaluation.status == "released" and evaluation.score == Decimal("100.00")
    assert evaluation.kind == "pre_renewal" and evaluation.score_basis == "indicators"
    page.context.clear_cookies()

    # the contractor acknowledges it from their work list
    sign_in(watched, contractor.username, PASSWORD)
    work_item(watched, f"Read and comment on the evaluation of {contract.number}")
    page.get_by_role("link", name="Acknowledge or comment").click()
    page.wait_for_load_state()
    watched.check()
    page.locator("label", has_text="I acknowledge this evaluation").click()
    page.get_by_role("button", name="Send the response").click()
    page.wait_for_load_state()
    watched.check()
    page.context.clear_cookies()

    # the reviewing official finalises it from their work list
    sign_in(watched, senior.username, PASSWORD)
    work_item(watched, f"Review and finalise the evaluation of {contract.number}")
    page.get_by_role("button", name="Finalise the evaluation").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What will happen").is_visible()  # issue 21
    watched.check()
    page.get_by_role("button", name="Finalise the evaluation").click()
    page.wait_for_load_state()
    watched.check()
    page.context.clear_cookies()

    # the contract manager renews: the score of 100 makes the contract eligible
    sign_in(watched, manager.username, PASSWORD)
    work_item(watched, f"Decide whether to renew or extend {contract.number} before it ends")
    page.get_by_role("link", name=f"Renewal eligibility of {contract.number} explained").click()
    page.wait_for_load_state()
    watched.check()
    assert "Eligible for renewal or extension" in page.content()
    page.get_by_role("link", name="Exercise a renewal option").click()
    page.wait_for_load_state()
    watched.check()
    page.get_by_label("Effective date").fill(today.isoformat())
    page.get_by_label("New end date").fill((contract.end_date + timedelta(days=365)).isoformat())
    page.get_by_label("Reason for renewing").fill("The plan's targets were met: renew a year.")
    page.get_by_role("button", name="Exercise the option").click()
    page.wait_for_load_state()
    watched.check()
    contract.refresh_from_db()
    assert contract.renewals_exercised == 1
