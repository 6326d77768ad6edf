"""seed 002 stage 1: each contract's monitoring cycle is prompted from its risk rating. The pack
sets the months between cycles by rating (West London: red 6, amber and green 12; Steward's
default 12 for all); the next cycle's due date (`monitoring_cycle`) is on the contract
manager's and the contract monitors' work lists, reminded, met when the next cycle starts,
moved when the rating changes (red sooner), opened by the daily job for a live contract with
none, and cancelled when the contract ends. Through the rules, the services and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_terminate
from steward.core.packs import DEFAULT_MONITORING, MonitoringRules, PackError
from steward.core.tests.api_support import call, token_client
from steward.monitoring import calc, services
from steward.monitoring.models import Cycle
from steward.monitoring.tests.factories import START, walk
from steward.monitoring.tests.pages import at
from steward.parties.models import Role
from steward.risk.models import RiskAssessment
from steward.risk.services import risk_override
from steward.testing.factories import ContractFactory, UserFactory
from steward.workspace.selectors import work_items
from steward.workspace.services import daily_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def wl(agency, packs, live):
    agency.pack = packs["west-london-sp"]
    agency.save()
    return live


def _open(contract):
    return list(
        DueDate.objects.filter(
            kind="monitoring_cycle", contract=contract, status=DueDateStatus.OPEN
        )
    )


def _override(manager, contract, rating, on=START):
    """The contract manager overrides the latest rating on `on` (the override is dated today)."""
    latest = RiskAssessment.objects.filter(contract=contract).order_by("-as_of", "-id").first()
    with at(on):
        return risk_override(
            actor=manager, assessment=latest, rating=rating, reason=f"Rated {rating} at review"
        )


# ---------------------------------------------------------------- the pack and the rule


def test_seed_002_the_pack_sets_the_months_between_cycles_by_risk_rating(packs):
    """seed 002 stage 1: West London monitors a red contract again after 6 months, amber and
    green after 12; a pack without the key keeps the annual cycle (Steward default)."""
    west = packs["west-london-sp"].parsed
    assert west.monitoring_rules.cycle_months_by_rating == {"red": 6, "amber": 12, "green": 12}
    assert west.to_dict()["monitoring"]["cycle_months_by_rating"]["red"] == 6
    ct = packs["connecticut-opm"].parsed
    assert ct.monitoring is None and ct.monitoring_rules is DEFAULT_MONITORING
    assert {ct.monitoring_rules.months(r) for r in ("red", "amber", "green", "")} == {12}
    assert west.monitoring_rules.months("") == 12  # never assessed: as amber


@pytest.mark.parametrize(
    ("months", "message"),
    [
        ({"red": 12, "amber": 6, "green": 12}, "riskier rating"),
        ({"red": 6, "amber": 12}, "green"),
        ({"red": 0, "amber": 12, "green": 12}, "red"),
        ({"red": 6, "amber": 12, "green": 12, "blue": 3}, "red, amber, green"),
    ],
)
def test_seed_002_a_bad_cadence_is_refused_naming_the_field(months, message):
    """seed 002: a pack cannot make a red contract wait longer than a green one."""
    with pytest.raises(PackError, match=message):
        MonitoringRules.from_dict({"cycle_months_by_rating": months, "source": "test"})


def test_seed_002_next_cycle_is_months_after_the_last_never_before_today():
    """seed 002 stage 1: the next cycle is the rating's months after the last one started; a
    contract long unmonitored is due the day the due date is opened, not already missed."""
    assert calc.next_cycle_due(
        anchor=date(2026, 8, 31), months=6, opened_on=date(2026, 9, 1)
    ) == date(2027, 2, 28)
    assert calc.next_cycle_due(
        anchor=date(2024, 1, 10), months=12, opened_on=date(2026, 9, 1)
    ) == date(2026, 9, 1)


# ---------------------------------------------------------------- the services


def test_seed_002_starting_a_cycle_opens_the_next_on_the_work_list(wl, manager, make_user):
    """seed 002 stage 1: the cycle's start registers the next cycle's due date, 12 months on
    for a green contract, on the contract manager's and the contract monitors' work lists."""
    monitor = make_user(Role.CONTRACT_MONITOR, username="monitor")
    cycle = services.cycle_start(actor=manager, contract=wl, today=START)
    assert cycle.risk_rating == "green"
    (due,) = _open(wl)
    assert due.due_date == date(2027, 11, 23)
    assert "every 12 months" in due.label
    for person in (manager, monitor):
        items = [i for i in work_items(user=person) if i.due.kind == "monitoring_cycle"]
        assert [i.due.pk for i in items] == [due.pk]
        assert items[0].todo == f"Start the next monitoring cycle for {wl.number}"


def test_seed_002_a_red_rating_brings_the_next_cycle_forward_and_back(wl, manager):
    """seed 002: a change of risk rating moves the due date: red 6 months after the last cycle
    started, amber 12; the replaced due date is kept, cancelled."""
    services.cycle_start(actor=manager, contract=wl, today=START)
    _override(manager, wl, "red")
    (due,) = _open(wl)
    assert due.due_date == date(2027, 5, 23)
    assert "rated red" in due.label
    assert DueDate.objects.filter(
        kind="monitoring_cycle", contract=wl, status=DueDateStatus.CANCELLED
    ).exists()
    _override(manager, wl, "amber")
    assert [d.due_date for d in _open(wl)] == [date(2027, 11, 23)]


def test_seed_002_the_next_cycle_meets_the_due_date_and_a_red_contract_twice_a_year(
    wl, manager, provider_user
):
    """seed 002: the due date is met by the next cycle's start (which opens the one after);
    a red contract is monitored twice in a calendar year (no more one cycle per year)."""
    first_start = date(2026, 1, 12)
    first = walk(wl, manager=manager, provider_user=provider_user, to="letter", start=first_start)
    first = Cycle.objects.get(pk=first.pk)
    after_window = first.appeal_due.due_date + timedelta(days=1)
    services.cycle_close(actor=manager, cycle=first, today=after_window)
    _override(manager, wl, "red", on=date(2026, 3, 2))
    (due,) = _open(wl)
    assert due.due_date == date(2026, 7, 12)
    second = services.cycle_start(actor=manager, contract=wl, today=date(2026, 7, 13))
    assert second.year == first.year == 2026
    due.refresh_from_db()
    assert due.status == DueDateStatus.DONE and due.met_by_id == second.pk
    (after,) = _open(wl)
    assert after.due_date == date(2027, 1, 13)  # still red: 6 months


def test_seed_002_the_daily_job_opens_it_reminds_and_the_contracts_end_cancels_it(
    wl, manager, mailoutbox, django_capture_on_commit_callbacks
):
    """seed 002: the daily job registers the next cycle of a live contract that has none (from
    its start: due that day when long past), reminds the contract manager 5 days before, and
    the contract's end cancels it."""
    counts = daily_run(as_of=date(2026, 6, 1))
    assert counts["next monitoring cycles opened"] >= 1
    (due,) = _open(wl)
    assert due.due_date == date(2027, 1, 1)  # the contract started 1 January 2026
    assert daily_run(as_of=date(2026, 6, 2))["next monitoring cycles opened"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        daily_run(as_of=date(2026, 12, 27))
    assert any(wl.number in m.subject and manager.email in m.to for m in mailoutbox), [
        m.subject for m in mailoutbox
    ]
    with time_machine.travel(datetime(2026, 12, 28, 12, tzinfo=UTC)):
        contract_terminate(
            actor=manager, contract=wl, terminated_on=date(2026, 12, 28), reason="Provider closed"
        )
    due.refresh_from_db()
    assert due.status == DueDateStatus.CANCELLED and "terminated" in due.close_reason


def test_seed_002_many_ratings_changed_at_once_move_only_their_own_cycles(wl, manager, monkeypatch):
    """seed 002: the risk recompute tells thousands of changed ratings at once (looked up by
    their id range): the contracts rated anew get their next cycle moved, a contract between
    them whose rating did not change keeps its own."""
    contracts = [wl] + [
        ContractFactory(
            agency=wl.agency,
            provider=wl.provider,
            contract_manager=manager,
            status="active",
            start_date=wl.start_date,
            end_date=wl.end_date,
        )
        for _ in range(2)
    ]
    for contract in contracts:
        services.cycle_start(actor=manager, contract=contract, today=START)
    first, between, last = sorted(contracts, key=lambda c: c.pk)
    monkeypatch.setattr(services, "_MANY_CHANGES", 1)
    services.ratings_changed({first.pk: "red", last.pk: "red"}, START, manager)
    assert [d.due_date for d in _open(first)] == [date(2027, 5, 23)]
    assert [d.due_date for d in _open(last)] == [date(2027, 5, 23)]
    assert [d.due_date for d in _open(between)] == [date(2027, 11, 23)]


# ---------------------------------------------------------------- the API


def test_seed_002_api_gives_the_next_cycle_to_agency_staff_only(
    wl, manager, provider_user, other_agency
):
    """seed 002: GET /contracts/{id}/monitoring/next-cycle: the date, the rating and the pack's
    months for agency staff; 404 for the provider (the rating is internal) and another agency.
    The work list API carries the item."""
    services.cycle_start(actor=manager, contract=wl, today=START)
    _override(manager, wl, "red")
    client = token_client(manager)
    got = call(client, "get", f"/contracts/{wl.pk}/monitoring/next-cycle")
    assert got.status_code == 200, got.content
    body = got.json()
    assert (body["due_on"], body["rating"], body["months"]) == ("2027-05-23", "red", 6)
    assert "seed 002" in body["source"]
    work = call(client, "get", "/me/work").json()
    rows = work["items"] if isinstance(work, dict) else work
    assert any("Start the next monitoring cycle" in str(row) for row in rows)
    assert (
        call(token_client(provider_user), "get", f"/contracts/{wl.pk}/monitoring/next-cycle")
    ).status_code == 404
    stranger = UserFactory(role=Role.CONTRACT_MANAGER, agency=other_agency, username="stranger")
    assert (
        call(token_client(stranger), "get", f"/contracts/{wl.pk}/monitoring/next-cycle")
    ).status_code == 404
