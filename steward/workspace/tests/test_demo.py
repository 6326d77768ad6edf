"""`steward demo`: the demo data set, its logins, and loading it twice or resetting it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from steward.contracts import selectors, services
from steward.contracts.models import Amendment, Contract, ContractStatus, DueDate, DueDateStatus
from steward.parties.models import Agency, AgencyKind, Role, User
from steward.workspace.demo import CONTRACTS, DEMO_PASSWORD, USERS, contract_dates

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


def load(*extra: str) -> str:
    out = StringIO()
    call_command("demo", "--today", TODAY.isoformat(), *extra, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def demo():
    return load()


def test_demo_puts_an_agency_on_each_shipped_pack(demo):
    buyers = Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY)
    assert sorted(buyers.values_list("pack__slug", flat=True)) == [
        "connecticut-opm",
        "massachusetts-osd",
        "milwaukee-mps",
        "scottish-childrens",
        "west-london-sp",
    ]
    assert Agency.objects.get(slug="ct-opm").kind == AgencyKind.OVERSIGHT_BODY


def test_demo_prints_each_step_as_it_starts_and_how_long_it_took(demo):
    """`make run` does not look hung while the demo loads: each step is printed as it
    starts, with the time so far, and the summary says how long the whole load took."""
    assert "Loading the demo data" in demo
    for step in (
        "agencies, providers and logins",
        f"the contracts ({len(CONTRACTS)})",
        "performance plans, indicators and returns",
        "evaluations",
        "monitoring cycles and visits",
    ):
        assert step in demo, step
    assert re.search(r"Loaded the demo data as of 2026-03-10 in \d+ s:", demo)
    steps = re.findall(r"\[\s*([\d.]+) s\]", demo)
    assert len(steps) >= 8
    assert [float(x) for x in steps] == sorted(float(x) for x in steps)


def test_running_demo_again_writes_nothing_and_says_so(demo):
    before = row_counts()
    output = load()
    assert row_counts() == before
    assert "already loaded; nothing changed" in output
    assert "manager-scot" in output  # the logins are printed every time
    assert DEMO_PASSWORD in output


def test_every_role_has_a_demo_login_that_authenticates(demo):
    request = RequestFactory().post("/login/")
    roles = set()
    for spec in USERS:
        user = authenticate(request, username=spec.username, password=DEMO_PASSWORD)
        assert user is not None, spec.username
        roles.add(user.role)
        assert spec.username in demo
    assert roles == set(Role.values)
    assert authenticate(request, username="manager", password="wrong-password") is None


def test_demo_staff_sit_where_the_brief_puts_them(demo):
    dcf = Agency.objects.get(slug="ct-dcf")
    for username in ("manager", "monitor", "budget", "finance", "procurement", "senior"):
        assert User.objects.get(username=username).agency == dcf
    assert User.objects.get(username="oversight").agency.slug == "ct-opm"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.agency is None
    provider_user = User.objects.get(username="provider")
    assert Contract.objects.filter(
        agency=dcf, provider=provider_user.provider, status=ContractStatus.ACTIVE
    ).exists()


def test_every_demo_agency_has_a_reviewing_official_a_monitor_and_a_provider_login(demo):
    """Each buying agency's journeys can be walked from start to end: a reviewing official (a
    senior manager, who finalises what the manager wrote), a monitor, and a login for one of
    its providers with a live contract there; all of them are in the printed table."""
    for agency in Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY):
        staff = User.objects.filter(agency=agency, is_active=True)
        assert staff.filter(role=Role.CONTRACT_MANAGER).exists(), agency.name
        assert staff.filter(role=Role.SENIOR_MANAGER).exists(), agency.name
        assert staff.filter(role=Role.CONTRACT_MONITOR).exists(), agency.name
        printed = [
            u
            for u in User.objects.filter(
                username__in=[s.username for s in USERS], role=Role.PROVIDER_USER
            )
            if Contract.objects.filter(
                agency=agency,
                provider_id=u.provider_id,
                status__in=(ContractStatus.ACTIVE, ContractStatus.EXECUTED),
            ).exists()
        ]
        assert printed, f"no provider login printed for {agency.name}"
        assert all(u.username in demo for u in printed)


def test_demo_concerns_differ_between_agencies_and_contracts(demo):
    """The demo's concerns fit each agency's services: no two contracts carry the same
    concerns, and no summary is repeated across agencies."""
    from steward.risk.models import Concern

    by_contract: dict[int, set[str]] = {}
    agencies_of: dict[str, set[int]] = {}
    for contract_id, agency_id, summary in Concern.objects.values_list(
        "contract_id", "contract__agency_id", "summary"
    ):
        by_contract.setdefault(contract_id, set()).add(summary)
        agencies_of.setdefault(summary, set()).add(agency_id)
    assert len(by_contract) >= 10
    sets = [frozenset(v) for v in by_contract.values()]
    assert len(set(sets)) == len(sets)
    assert all(len(agencies) == 1 for agencies in agencies_of.values())


def test_milwaukee_tutoring_contract_carries_education_indicators(demo):
    """The Milwaukee after-school tutoring contract measures tutoring, attendance and grade
    levels, not the child-welfare measures of the Connecticut contracts."""
    tutoring = Contract.objects.get(number="MPS-PS-2611")
    names = set(tutoring.indicators.values_list("name", flat=True))
    assert "Tutoring sessions delivered" in names
    assert any("grade level" in n for n in names)
    assert not any("Families" in n or "family" in n for n in names)
    dcf_names = set(
        Contract.objects.get(number="DCF-POS-0412").indicators.values_list("name", flat=True)
    )
    assert names.isdisjoint(dcf_names)


def test_demo_has_contracts_in_every_status_in_the_packs_currency(demo):
    assert Contract.objects.count() == len(CONTRACTS)
    assert set(Contract.objects.values_list("status", flat=True)) == set(ContractStatus.values)
    assert set(
        Contract.objects.filter(agency__pack__slug="west-london-sp").values_list(
            "currency", flat=True
        )
    ) == {"GBP"}
    scottish = Contract.objects.filter(agency__pack__slug="scottish-childrens")
    assert not scottish.filter(authority_category="").exists()
    assert set(
        Contract.objects.filter(agency__slug="ma-dmh", contract_type="pos").values_list(
            "object_code", flat=True
        )
    ) <= {"MM3", "M03"}


def test_demo_has_contracts_expiring_within_the_window(demo):
    admin = User.objects.get(username="admin")
    expiring = list(selectors.expiring_contracts(actor=admin, today=TODAY))
    assert len(expiring) >= 5
    agencies = {c.agency.slug for c in expiring}
    assert "ct-dcf" in agencies and len(agencies) >= 2
    # the Connecticut oversight officer sees Connecticut's agencies only, by default
    oversight = User.objects.get(username="oversight")
    assert oversight.jurisdiction == "Connecticut"
    theirs = {
        c.agency.jurisdiction for c in selectors.expiring_contracts(actor=oversight, today=TODAY)
    }
    assert theirs == {"Connecticut"}


def test_demo_closeout_due_dates_are_open_and_some_overdue(demo):
    """seed 000: evaluation within 60 days of completion."""
    open_dues = DueDate.objects.filter(rule_key="closeout_evaluation", status=DueDateStatus.OPEN)
    assert open_dues.filter(due_date__gte=TODAY).exists()
    assert open_dues.filter(due_date__lt=TODAY).exists()
    completed = Contract.objects.get(number="DCF-POS-0301")
    due = open_dues.get(contract=completed)
    assert due.due_date == completed.completed_on + timedelta(days=60)
    assert completed.completed_on < TODAY <= due.due_date


def test_demo_contracts_carry_the_audit_history_of_their_transitions(demo):
    contract = Contract.objects.get(number="DCF-POS-0301")
    reasons = list(
        contract.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert [r[0].split(" on ")[0] for r in reasons] == [
        "Created",
        "Executed",
        "Activated",
        "Completed",
    ]
    assert {r[1] for r in reasons} == {"manager"}


def test_demo_amendments_change_the_contract(demo):
    amendment = Amendment.objects.get(contract__number="DCF-POS-0420")
    contract = amendment.contract
    spec = next(c for c in CONTRACTS if c.number == "DCF-POS-0420")
    _, original_end = contract_dates(spec, TODAY)
    assert amendment.previous_end_date == original_end
    assert contract.end_date == amendment.new_end_date > original_end
    assert contract.maximum_obligation == Decimal("1650000.00")
    assert amendment.created_by.username == "finance"


def test_reset_deletes_what_hangs_off_the_demo_and_loads_it_again(demo):
    fresh = row_counts()
    manager = User.objects.get(username="manager")
    dcf = Agency.objects.get(slug="ct-dcf")
    extra = services.contract_create(
        actor=manager,
        agency=dcf,
        data={
            "provider": Contract.objects.filter(agency=dcf).first().provider,
            "number": "DCF-EXTRA-1",
            "title": "Added while trying the demo",
            "contract_type": "pos",
            "start_date": TODAY - timedelta(days=30),
            "end_date": TODAY + timedelta(days=300),
            "maximum_obligation": Decimal("1000.00"),
            "compensation_structure": "unit_rate",
            "procurement_method": "tendered",
        },
    )
    services.contract_execute(actor=manager, contract=extra, executed_on=TODAY)
    services.amendment_create(  # an amendment PROTECTs its contract
        actor=manager,
        contract=extra,
        effective_on=TODAY,
        reason="More hours",
        new_maximum_obligation=Decimal("2000.00"),
    )

    output = load("--reset")

    assert "Deleted the demo data" in output
    assert not Contract.objects.filter(number="DCF-EXTRA-1").exists()
    # history of the deleted records is gone too; the outbox keeps every email sent (ADR 0006),
    # including the one that told Finance of the extra contract's dates (seed 003)
    after = row_counts()
    assert after.pop("core.OutboundEmail") == fresh.pop("core.OutboundEmail") + 1
    assert after == fresh


def test_partial_demo_data_is_refused_until_reset(demo):
    User.objects.filter(username="manager-wl").delete()
    with pytest.raises(CommandError, match="--reset"):
        load()
    load("--reset")
    assert User.objects.filter(username="manager-wl").exists()


def test_demo_refuses_to_load_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        load()
    assert not Agency.objects.exists()


def test_demo_rejects_a_badly_written_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("demo", "--today", "10/03/2026", stdout=StringIO())
