"""Policy packs in the database: loading, copying and audited editing (DOMAIN.md §4)."""

from __future__ import annotations

import copy

import pytest
import time_machine

from steward.core.errors import PermissionDeniedError, ValidationFailed
from steward.core.models import PolicyPack
from steward.core.services import policy_pack_copy, policy_pack_update, policy_packs_load_shipped
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


def test_the_five_shipped_packs_load_once(packs):
    assert set(packs) == {
        "connecticut-opm",
        "milwaukee-mps",
        "west-london-sp",
        "scottish-childrens",
        "massachusetts-osd",
    }
    assert all(p.shipped and p.version == 1 for p in packs.values())
    policy_packs_load_shipped()
    assert PolicyPack.objects.count() == 5
    assert PolicyPack.history.count() == 5  # reloading unchanged files writes nothing


def test_shipped_pack_figures_reach_the_database(packs):
    """seed 001: a score of 90 or higher is needed for renewal; seed 003: £20,000 threshold."""
    assert packs["milwaukee-mps"].parsed.renewal.score_threshold == 90
    assert str(packs["scottish-childrens"].parsed.tender.threshold) == "20000.00"
    assert packs["west-london-sp"].parsed.deadline_rule("self_assessment").days == 20


def test_oversight_officer_copies_and_edits_a_pack_with_audit(packs, make_user):
    """DOMAIN.md §4: an agency may copy and edit a pack; edits are audited."""
    officer = make_user(Role.OVERSIGHT_OFFICER)
    pack = policy_pack_copy(
        actor=officer, source=packs["west-london-sp"], slug="ealing-sp", name="Ealing SP"
    )
    assert pack.copied_from == packs["west-london-sp"]
    assert not pack.shipped
    rules = copy.deepcopy(pack.rules)
    rules["deadlines"]["self_assessment"]["days"] = 25
    rules["deadlines"]["self_assessment"]["source"] = "Ealing local variation"
    updated = policy_pack_update(actor=officer, pack=pack, rules=rules, reason="Local variation")
    assert updated.version == 2
    assert updated.parsed.deadline_rule("self_assessment").days == 25
    latest = updated.history.first()
    assert latest.history_user == officer
    assert latest.history_change_reason == "Local variation"
    assert updated.history.count() == 2


def test_shipped_packs_are_read_only(packs, make_user):
    officer = make_user(Role.OVERSIGHT_OFFICER)
    with pytest.raises(PermissionDeniedError):
        policy_pack_update(
            actor=officer,
            pack=packs["milwaukee-mps"],
            rules=packs["milwaukee-mps"].rules,
            reason="try",
        )


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.SENIOR_MANAGER, Role.PROVIDER_USER])
def test_only_oversight_and_administrators_copy_packs(packs, make_user, role):
    with pytest.raises(PermissionDeniedError):
        policy_pack_copy(actor=make_user(role), source=packs["milwaukee-mps"], slug="x", name="X")


def test_a_bad_edit_names_the_field_and_changes_nothing(packs, make_user):
    officer = make_user(Role.OVERSIGHT_OFFICER)
    pack = policy_pack_copy(actor=officer, source=packs["connecticut-opm"], slug="ct2", name="CT2")
    rules = copy.deepcopy(pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = -3
    with pytest.raises(ValidationFailed, match=r"deadlines\.closeout_evaluation\.days"):
        policy_pack_update(actor=officer, pack=pack, rules=rules, reason="oops")
    pack.refresh_from_db()
    assert pack.version == 1
    assert pack.parsed.deadline_rule("closeout_evaluation").days == 60


def test_an_edit_needs_a_reason(packs, make_user):
    officer = make_user(Role.OVERSIGHT_OFFICER)
    pack = policy_pack_copy(actor=officer, source=packs["connecticut-opm"], slug="ct3", name="CT3")
    with pytest.raises(ValidationFailed, match="why"):
        policy_pack_update(actor=officer, pack=pack, rules=pack.rules, reason=" ")


def test_copy_refuses_a_slug_in_use(packs, make_user):
    officer = make_user(Role.OVERSIGHT_OFFICER)
    with pytest.raises(ValidationFailed, match="already exists"):
        policy_pack_copy(
            actor=officer, source=packs["connecticut-opm"], slug="milwaukee-mps", name="X"
        )


def test_due_dates_follow_the_agencys_edited_pack(packs, make_user, provider):
    """Every due date records the rule, pack and version that produced it."""
    from datetime import UTC, date, datetime

    from steward.contracts.services import contract_complete
    from steward.testing.factories import AgencyFactory, ContractFactory

    officer = make_user(Role.OVERSIGHT_OFFICER)
    pack = policy_pack_copy(actor=officer, source=packs["connecticut-opm"], slug="ct4", name="CT4")
    rules = copy.deepcopy(pack.rules)
    rules["deadlines"]["closeout_evaluation"]["days"] = 30
    pack = policy_pack_update(actor=officer, pack=pack, rules=rules, reason="Tighter closeout")
    agency = AgencyFactory(slug="ct-agency", pack=pack)
    manager = make_user(Role.CONTRACT_MANAGER, agency=agency)
    contract = ContractFactory(agency=agency, provider=provider, status="active")
    with time_machine.travel(datetime(2027, 1, 4, 12, tzinfo=UTC)):
        contract_complete(actor=manager, contract=contract, completed_on=date(2026, 12, 31))
    due = contract.due_dates.get()
    assert due.due_date == date(2027, 1, 30)
    assert (due.pack_slug, due.pack_version) == ("ct4", 2)


def test_agency_closure_days_push_working_day_deadlines(packs, provider):
    """DOMAIN.md §4: working days skip the pack's holidays plus agency closure days."""
    from datetime import date

    from steward.contracts.services import agency_calendar
    from steward.core.deadlines import DayKind, add_days
    from steward.testing.factories import AgencyFactory

    agency = AgencyFactory(
        slug="wl-closure", pack=packs["west-london-sp"], closure_days=["2026-12-29"]
    )
    calendar = agency_calendar(agency)
    # 24 Dec (Thu) + 2 working days: 25, 26 (Sat), 27 (Sun), 28 (Boxing Day substitute),
    # 29 (closure) are skipped → 30 Dec, 31 Dec.
    assert add_days(date(2026, 12, 24), 2, DayKind.WORKING, calendar) == date(2026, 12, 31)
