"""API: the contract register — list, create, detail, change, and the workflow transitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from steward.contracts.models import Contract, ContractStatus, DueDate
from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory

NEW = {
    "agency": "dcf",
    "provider": "bright-futures",
    "number": "DCF-26-100",
    "title": "Therapeutic foster care",
    "contract_type": "pos",
    "start_date": "2026-07-01",
    "end_date": "2027-06-30",
    "maximum_obligation": "480000.00",
    "compensation_structure": "unit_rate",
    "procurement_method": "tendered",
    "notes": "Incumbent underperformed in 2025",
}


@pytest.fixture
def client(manager):
    return session_client(manager)


# ---------------------------------------------------------------- list


@pytest.mark.parametrize("rows", [5, 30])
def test_contract_list_query_count_does_not_grow(
    rows, agency, manager, django_assert_max_num_queries
):
    for _ in range(rows):
        ContractFactory(agency=agency, provider=ProviderFactory(), contract_manager=manager)
    client = token_client(manager)
    with django_assert_max_num_queries(4):
        body = call(client, "get", "/contracts", {"limit": 100}).json()
    assert body["count"] == rows
    assert {item["contract_manager"] for item in body["items"]} == {"manager"}


@pytest.mark.parametrize("rows", [5, 30])
def test_provider_users_contract_list_query_count_does_not_grow(
    rows, agency, provider, make_user, django_assert_max_num_queries
):
    ContractFactory.create_batch(rows, agency=agency, provider=provider, status="active")
    client = token_client(make_user(Role.PROVIDER_USER))
    with django_assert_max_num_queries(4):
        body = call(client, "get", "/contracts", {"limit": 100}).json()
    assert body["count"] == rows
    assert all(item["notes"] is None for item in body["items"])


def test_contract_list_paginates_with_limit_and_offset(client, agency, provider):
    ContractFactory.create_batch(5, agency=agency, provider=provider)
    body = call(client, "get", "/contracts", {"limit": 2, "offset": 4}).json()
    assert body["count"] == 5
    assert len(body["items"]) == 1


def test_contract_list_filters(client, agency, provider, other_provider):
    ContractFactory(
        agency=agency,
        provider=provider,
        number="A-1",
        status="active",
        end_date=date(2026, 9, 30),
    )
    ContractFactory(
        agency=agency,
        provider=other_provider,
        number="B-1",
        status="draft",
        end_date=date(2027, 3, 31),
        contract_type="psa",
    )

    def numbers(**params):
        response = call(client, "get", "/contracts", params)
        assert response.status_code == 200, response.content
        return [item["number"] for item in response.json()["items"]]

    assert numbers(status="active") == ["A-1"]
    assert numbers(provider="harbor-youth") == ["B-1"]
    assert numbers(q="harbor") == ["B-1"]
    assert numbers(contract_type="psa") == ["B-1"]
    assert numbers(ends_before="2026-12-31") == ["A-1"]
    assert numbers(ends_after="2026-12-31") == ["B-1"]
    assert numbers(agency="dcf", sort="-number") == ["B-1", "A-1"]
    assert numbers(agency="dmh") == []


def test_contract_list_refuses_an_unknown_sort_naming_the_field(client):
    response = call(client, "get", "/contracts", {"sort": "colour"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["sort"]


# ---------------------------------------------------------------- create


def test_create_makes_a_draft_in_the_named_agency(client, manager, agency, provider):
    response = call(client, "post", "/contracts", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["agency"] == "dcf"
    assert body["provider"] == "bright-futures"
    assert body["maximum_obligation"] == "480000.00"
    assert body["contract_manager"] == "manager"  # defaults to the caller
    assert body["notes"] == "Incumbent underperformed in 2025"
    contract = Contract.objects.get(pk=body["id"])
    assert contract.history.first().history_user == manager


def test_create_with_end_before_start_is_422_and_writes_nothing(client, agency, provider):
    response = call(client, "post", "/contracts", {**NEW, "end_date": "2026-01-01"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert not Contract.objects.exists()


def test_create_with_unknown_provider_is_422_on_provider(client, agency):
    response = call(client, "post", "/contracts", {**NEW, "provider": "nobody"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"provider": ["No provider 'nobody'."]}
    assert not Contract.objects.exists()


def test_create_with_unknown_agency_is_422_on_agency(client, provider, agency):
    response = call(client, "post", "/contracts", {**NEW, "agency": "nowhere"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["agency"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("maximum_obligation", "-5"),
        ("maximum_obligation", "12.345"),
        ("maximum_obligation", "lots"),
        ("contract_type", "handshake"),
        ("start_date", "31/12/2026"),
        ("renewal_options", -1),
        ("authority_category", "Z"),
    ],
)
def test_create_with_bad_value_is_422_naming_the_field(client, agency, provider, field, value):
    response = call(client, "post", "/contracts", {**NEW, field: value})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert field in response.json()["detail"]
    assert not Contract.objects.exists()


def test_create_with_a_number_used_in_the_agency_is_422(client, contract):
    response = call(client, "post", "/contracts", {**NEW, "number": contract.number})
    assert response.status_code == 422
    assert Contract.objects.count() == 1


def test_create_with_manager_from_another_agency_is_422_on_contract_manager(
    client, other_agency, make_user, agency, provider
):
    outsider = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="outsider")
    response = call(client, "post", "/contracts", {**NEW, "contract_manager": outsider.username})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["contract_manager"]


# ---------------------------------------------------------------- detail and change


def test_detail(client, contract):
    body = call(client, "get", f"/contracts/{contract.pk}").json()
    assert body["number"] == "DCF-24-001"
    assert body["agency_name"] == "Department of Children and Families"


def test_patch_changes_only_the_fields_sent(client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, title="Old", sponsor="Ms Lee")
    response = call(client, "patch", f"/contracts/{draft.pk}", {"title": "New title"})
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.title, draft.sponsor) == ("New title", "Ms Lee")


def test_patch_can_move_a_draft_to_another_provider(client, agency, provider, other_provider):
    draft = ContractFactory(agency=agency, provider=provider)
    response = call(client, "patch", f"/contracts/{draft.pk}", {"provider": "harbor-youth"})
    assert response.json()["provider"] == "harbor-youth"


def test_patch_of_locked_field_after_execution_is_422_naming_it(client, contract):
    response = call(client, "patch", f"/contracts/{contract.pk}", {"end_date": "2027-12-31"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["end_date"]
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)


def test_patch_with_bad_date_is_422_naming_it(client, contract):
    response = call(client, "patch", f"/contracts/{contract.pk}", {"start_date": "soon"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["start_date"]


# ---------------------------------------------------------------- workflow


def test_execute_then_activate_with_today_defaulting_to_the_local_date(client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, start_date=date(2026, 4, 1))
    executed = call(client, "post", f"/contracts/{draft.pk}/execute", {"executed_on": "2026-03-20"})
    assert executed.status_code == 200, executed.content
    assert executed.json()["status"] == "executed"
    assert executed.json()["executed_on"] == "2026-03-20"

    with time_machine.travel(datetime(2026, 3, 25, 12, tzinfo=UTC), tick=False):
        early = call(client, "post", f"/contracts/{draft.pk}/activate", {})
    assert early.status_code == 409
    assert "starts on 1 April 2026" in early.json()["detail"]
    with time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=UTC), tick=False):
        active = call(client, "post", f"/contracts/{draft.pk}/activate", {})
    assert active.json()["status"] == "active"


def test_activate_takes_an_explicit_today(client, agency, provider):
    executed = ContractFactory(agency=agency, provider=provider, status="executed")
    response = call(client, "post", f"/contracts/{executed.pk}/activate", {"today": "2026-02-01"})
    assert response.json()["status"] == "active"


def test_execute_without_date_is_422_naming_it(client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider)
    response = call(client, "post", f"/contracts/{draft.pk}/execute", {})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["executed_on"]
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_complete_opens_the_closeout_evaluation_due_date(client, agency, provider):
    """seed 000: a written evaluation within 60 days of completion"""
    contract = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 10, 31)
    )
    response = call(
        client, "post", f"/contracts/{contract.pk}/complete", {"completed_on": "2026-10-31"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    due = DueDate.objects.get(contract=contract, rule_key="closeout_evaluation")
    assert due.due_date == date(2026, 12, 30)


def test_terminate_needs_a_reason(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/terminate",
        {"terminated_on": "2026-06-30", "reason": ""},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_terminate(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/terminate",
        {"terminated_on": "2026-06-30", "reason": "Provider lost its licence"},
    )
    assert response.status_code == 200
    assert response.json()["termination_reason"] == "Provider lost its licence"


def test_expire_before_the_end_date_is_409(client, contract):
    response = call(client, "post", f"/contracts/{contract.pk}/expire", {"today": "2026-06-01"})
    assert response.status_code == 409
    assert "31 December 2026" in response.json()["detail"]


def test_expire_after_the_end_date_with_today_defaulting(manager, contract):
    client = token_client(manager)  # a session would have expired by then
    with time_machine.travel(datetime(2027, 1, 5, 12, tzinfo=UTC), tick=False):
        response = call(client, "post", f"/contracts/{contract.pk}/expire", {})
    assert response.status_code == 200
    assert response.json()["status"] == "expired"


# ------------------------------------------------------------------ reopen (issue 21)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONTRACT_MANAGER, 200),
        (Role.CONTRACT_MONITOR, 403),
        (Role.SENIOR_MANAGER, 403),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_reopen_a_completed_contract_by_role(make_user, manager, contract, role, status):
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 3, 1))
    client = session_client(make_user(role))
    response = call(
        client, "post", f"/contracts/{contract.pk}/reopen", {"reason": "Completed by mistake"}
    )
    assert response.status_code == status, response.content
    contract.refresh_from_db()
    assert contract.status == ("active" if status == 200 else "completed")


def test_reopen_of_another_agencys_contract_is_404(make_user, other_agency, manager, contract):
    from steward.contracts.services import contract_complete

    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 3, 1))
    client = session_client(make_user(Role.CONTRACT_MANAGER, agency=other_agency))
    response = call(client, "post", f"/contracts/{contract.pk}/reopen", {"reason": "Mine"})
    assert response.status_code == 404


def test_reopen_of_a_running_contract_is_409_and_needs_a_reason(manager, contract):
    client = session_client(manager)
    assert (
        call(client, "post", f"/contracts/{contract.pk}/reopen", {"reason": "x"}).status_code == 409
    )
    assert (
        call(client, "post", f"/contracts/{contract.pk}/reopen", {"reason": ""}).status_code == 422
    )


def test_seed_003_contract_is_not_terminated_through_the_shortcut(packs, make_user):
    """seed 003: early termination goes through the contract manager's review (409 here)."""
    from steward.testing.factories import AgencyFactory

    council = AgencyFactory(slug="sc-cs", pack=packs["scottish-childrens"])
    contract = ContractFactory(agency=council, status="active")
    client = session_client(make_user(Role.CONTRACT_MANAGER, agency=council))
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/terminate",
        {"terminated_on": "2026-03-01", "reason": "test"},
    )
    assert response.status_code == 409
    assert "review" in response.json()["detail"]
