"""Contract lifecycle, amendments, documents and due dates, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from steward.contracts import services
from steward.contracts.models import Contract, ContractStatus, DueDate, DueDateStatus
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.parties.models import Role
from steward.testing.factories import ContractFactory

pytestmark = pytest.mark.django_db

CONTRACT_DATA = {
    "number": "DCF-26-100",
    "title": "Therapeutic foster care",
    "contract_type": "pos",
    "start_date": date(2026, 7, 1),
    "end_date": date(2027, 6, 30),
    "maximum_obligation": Decimal("480000.00"),
    "compensation_structure": "unit_rate",
    "procurement_method": "tendered",
}


def data(**overrides):
    return {**CONTRACT_DATA, **overrides}


def test_contract_manager_creates_a_draft_in_the_packs_currency(manager, agency, provider):
    contract = services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    assert contract.status == ContractStatus.DRAFT
    assert contract.currency == "USD"
    assert contract.contract_manager == manager
    assert contract.history.count() == 1
    assert contract.history.first().history_user == manager


def test_uk_agency_contracts_are_in_pounds(make_user, packs, provider):
    from steward.testing.factories import AgencyFactory

    council = AgencyFactory(slug="wl", pack=packs["west-london-sp"], kind="council")
    manager = make_user(Role.CONTRACT_MANAGER, agency=council)
    contract = services.contract_create(actor=manager, agency=council, data=data(provider=provider))
    assert contract.currency == "GBP"


def test_it_refuses_an_end_date_before_the_start(manager, agency, provider):
    with pytest.raises(ValidationFailed) as error:
        services.contract_create(
            actor=manager,
            agency=agency,
            data=data(provider=provider, end_date=date(2026, 6, 30)),
        )
    assert error.value.errors["end_date"] == ["The end date cannot be before the start date."]
    assert not Contract.objects.exists()


def test_it_refuses_a_duplicate_number_in_the_same_agency(manager, agency, provider):
    services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    with pytest.raises(ValidationFailed, match="already has a contract with this number"):
        services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    assert Contract.objects.count() == 1


def test_the_same_number_is_allowed_in_another_agency(manager, agency, other_agency, provider):
    ContractFactory(agency=other_agency, provider=provider, number=CONTRACT_DATA["number"])
    services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    assert Contract.objects.filter(number=CONTRACT_DATA["number"]).count() == 2


def test_database_refuses_end_before_start_even_without_the_service(agency, provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(
            agency=agency, provider=provider, start_date=date(2026, 5, 1), end_date=date(2026, 4, 1)
        )


def test_database_refuses_negative_obligation(agency, provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(agency=agency, provider=provider, maximum_obligation=Decimal("-1"))


def test_database_refuses_an_executed_contract_without_execution_date(agency, provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=ContractFactory(agency=agency, provider=provider).pk).update(
            status=ContractStatus.EXECUTED
        )


def test_it_refuses_a_contract_manager_of_another_agency(make_user, agency, other_agency, provider):
    stranger = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    with pytest.raises(PermissionDeniedError):
        services.contract_create(actor=stranger, agency=agency, data=data(provider=provider))


@pytest.mark.parametrize(
    "role",
    [
        Role.OVERSIGHT_OFFICER,
        Role.CONTRACT_MONITOR,
        Role.FINANCE_OFFICER,
        Role.SENIOR_MANAGER,
        Role.PROVIDER_USER,
    ],
)
def test_only_contract_managers_create_contracts(make_user, agency, provider, role):
    with pytest.raises(PermissionDeniedError):
        services.contract_create(actor=make_user(role), agency=agency, data=data(provider=provider))


def test_unknown_fields_are_refused(manager, agency, provider):
    with pytest.raises(ValidationFailed, match="colour"):
        services.contract_create(
            actor=manager, agency=agency, data=data(provider=provider, colour="red")
        )


def test_full_lifecycle_records_each_transition_in_the_history(manager, agency, provider):
    contract = services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    services.contract_execute(actor=manager, contract=contract, executed_on=date(2026, 6, 15))
    services.contract_activate(actor=manager, contract=contract, today=date(2026, 7, 1))
    with time_machine.travel(datetime(2027, 7, 1, 12, tzinfo=UTC)):
        services.contract_complete(actor=manager, contract=contract, completed_on=date(2027, 6, 30))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED
    statuses = list(contract.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["draft", "executed", "active", "completed"]


def test_it_cannot_become_active_before_it_is_executed(manager, agency, provider):
    contract = services.contract_create(actor=manager, agency=agency, data=data(provider=provider))
    with pytest.raises(TransitionNotAllowed, match="only when it is executed"):
        services.contract_activate(actor=manager, contract=contract, today=date(2026, 7, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_it_cannot_become_active_before_its_start_date(manager, agency, provider):
    contract = ContractFactory(
        agency=agency, provider=provider, status="executed", start_date=date(2026, 7, 1)
    )
    with pytest.raises(TransitionNotAllowed, match="starts on 1 July 2026"):
        services.contract_activate(actor=manager, contract=contract, today=date(2026, 6, 30))


def test_it_cannot_complete_a_draft(manager, agency, provider):
    contract = ContractFactory(agency=agency, provider=provider)
    with pytest.raises(TransitionNotAllowed):
        services.contract_complete(
            actor=manager, contract=contract, completed_on=date(2026, 12, 31)
        )


def test_completion_opens_the_closeout_evaluation_due_60_days_later(manager, contract):
    """seed 000: the written evaluation is due not later than 60 days after completion."""
    with time_machine.travel(datetime(2027, 1, 4, 12, tzinfo=UTC)):
        services.contract_complete(
            actor=manager, contract=contract, completed_on=date(2026, 12, 31)
        )
    due = DueDate.objects.get(contract=contract)
    assert due.rule_key == "closeout_evaluation"
    assert due.due_date == date(2027, 3, 1)
    assert (due.days, due.day_kind) == (60, "calendar")
    assert due.pack_slug == "connecticut-opm"
    assert due.pack_version == 1
    assert due.source == "seed 000"
    assert due.explain() == "60 days from 31 December 2026"


def test_termination_needs_a_reason_and_starts_the_evaluation_clock(manager, contract):
    """seed 000 / seed 003: a terminated contract is closed out and evaluated too."""
    with pytest.raises(ValidationFailed, match="reason"):
        services.contract_terminate(
            actor=manager, contract=contract, terminated_on=date(2026, 9, 1), reason="  "
        )
    services.contract_terminate(
        actor=manager,
        contract=contract,
        terminated_on=date(2026, 9, 1),
        reason="Provider lost its licence",
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract.termination_reason == "Provider lost its licence"
    assert DueDate.objects.get(contract=contract).due_date == date(2026, 10, 31)


def test_expiry_is_refused_before_the_end_date(manager, contract):
    with pytest.raises(TransitionNotAllowed, match="has not expired"):
        services.contract_expire(actor=manager, contract=contract, today=date(2026, 12, 31))


def test_expire_due_is_set_based_and_opens_due_dates(
    agency, other_agency, provider, django_assert_max_num_queries
):
    """seed 000: 60 days after the end of the term, in each agency's own pack."""
    for n in range(12):
        ContractFactory(
            agency=agency,
            provider=provider,
            status="active",
            end_date=date(2026, 12, 31),
            number=f"A-{n}",
        )
    ContractFactory(
        agency=other_agency,
        provider=provider,
        status="executed",
        end_date=date(2026, 11, 30),
        number="B-1",
    )
    keep = ContractFactory(
        agency=agency,
        provider=provider,
        status="active",
        end_date=date(2027, 3, 31),
        number="A-keep",
    )
    with django_assert_max_num_queries(20):
        count = services.contracts_expire_due(today=date(2027, 1, 2))
    assert count == 13
    assert Contract.objects.filter(status="expired").count() == 13
    keep.refresh_from_db()
    assert keep.status == "active"
    dues = DueDate.objects.filter(status=DueDateStatus.OPEN)
    assert dues.count() == 13
    assert set(dues.filter(contract__agency=agency).values_list("due_date", flat=True)) == {
        date(2027, 3, 1)
    }
    assert dues.get(contract__number="B-1").pack_slug == "massachusetts-osd"
    assert Contract.history.filter(status="expired").count() == 13


def test_amendment_extends_and_records_before_and_after(manager, contract):
    amendment = services.amendment_create(
        actor=manager,
        contract=contract,
        effective_on=date(2026, 11, 1),
        reason="Extension while the service is re-tendered",
        new_end_date=date(2027, 3, 31),
        new_maximum_obligation=Decimal("310000.00"),
    )
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 3, 31)
    assert contract.maximum_obligation == Decimal("310000.00")
    assert amendment.sequence == 1
    assert amendment.kind == "both"
    assert amendment.previous_end_date == date(2026, 12, 31)
    assert amendment.obligation_change == Decimal("60000.00")
    assert contract.history.first().history_change_reason.startswith("Amendment 1")


def test_amendments_are_numbered_in_sequence(manager, contract):
    for n, amount in enumerate(["260000", "270000"], start=1):
        a = services.amendment_create(
            actor=manager,
            contract=contract,
            effective_on=date(2026, 10, n),
            reason="Rate uplift",
            new_maximum_obligation=Decimal(amount),
        )
        assert a.sequence == n
        assert a.kind == "obligation"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"new_end_date": date(2025, 12, 31)}, "new_end_date"),
        ({"new_maximum_obligation": Decimal("-5")}, "new_maximum_obligation"),
        ({"new_end_date": date(2026, 12, 31)}, "__all__"),
        ({"new_end_date": date(2027, 1, 31), "reason": ""}, "reason"),
    ],
)
def test_bad_amendments_are_refused_and_change_nothing(manager, contract, kwargs, field):
    kwargs = {"reason": "Because", **kwargs}
    with pytest.raises(ValidationFailed) as error:
        services.amendment_create(
            actor=manager, contract=contract, effective_on=date(2026, 10, 1), **kwargs
        )
    assert field in error.value.errors
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)
    assert not contract.amendments.exists()


def test_a_draft_is_edited_not_amended(manager, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider)
    with pytest.raises(TransitionNotAllowed, match="Edit the draft"):
        services.amendment_create(
            actor=manager,
            contract=draft,
            effective_on=date(2026, 1, 1),
            reason="x",
            new_end_date=date(2027, 1, 1),
        )


def test_finance_officer_may_amend_but_monitor_may_not(make_user, contract):
    finance = make_user(Role.FINANCE_OFFICER)
    services.amendment_create(
        actor=finance,
        contract=contract,
        effective_on=date(2026, 10, 1),
        reason="Budget cut",
        new_maximum_obligation=Decimal("200000"),
    )
    with pytest.raises(PermissionDeniedError):
        services.amendment_create(
            actor=make_user(Role.CONTRACT_MONITOR),
            contract=contract,
            effective_on=date(2026, 10, 1),
            reason="x",
            new_maximum_obligation=Decimal("1"),
        )


def test_executed_contract_dates_change_only_by_amendment(manager, contract):
    with pytest.raises(ValidationFailed, match="amendment") as error:
        services.contract_update(
            actor=manager, contract=contract, data={"end_date": date(2027, 12, 31)}
        )
    assert "end_date" in error.value.errors
    services.contract_update(actor=manager, contract=contract, data={"title": "Renamed"})
    contract.refresh_from_db()
    assert contract.title == "Renamed"


def test_contract_manager_must_belong_to_the_agency(manager, make_user, other_agency, contract):
    outsider = make_user(Role.CONTRACT_MANAGER, agency=other_agency)
    with pytest.raises(ValidationFailed, match="agency"):
        services.contract_update(
            actor=manager, contract=contract, data={"contract_manager": outsider}
        )


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_master_contract_pdf_is_stored_with_its_digest(manager, contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    doc = services.document_upload(
        actor=manager,
        contract=contract,
        kind="master_contract",
        title="Signed contract",
        upload=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
    )
    assert doc.content_type == "application/pdf"
    assert doc.size == len(PDF)
    assert len(doc.sha256) == 64
    assert doc.file.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("contract.exe", b"MZ\x90\x00", "not accepted"),
        ("contract.pdf", b"<html>not a pdf</html>", "signature"),
        ("contract.pdf", b"", "empty"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    manager, contract, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed, match=message):
        services.document_upload(
            actor=manager,
            contract=contract,
            kind="attachment",
            title="x",
            upload=SimpleUploadedFile(name, content),
        )
    assert not contract.documents.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_oversized_uploads_are_refused(manager, contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STEWARD_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationFailed, match="largest accepted"):
        services.document_upload(
            actor=manager,
            contract=contract,
            kind="attachment",
            title="x",
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 200),
        )


def test_provider_users_cannot_upload(make_user, contract, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDeniedError):
        services.document_upload(
            actor=make_user(Role.PROVIDER_USER),
            contract=contract,
            kind="attachment",
            title="x",
            upload=SimpleUploadedFile("a.pdf", PDF),
        )


def test_an_edit_that_changes_nothing_writes_no_history(manager, contract):
    before = contract.history.count()
    services.contract_update(actor=manager, contract=contract, data={"title": contract.title})
    assert contract.history.count() == before


# ------------------------------------------------------------------ issue 21: dates, reopening


def test_completion_after_the_end_date_is_refused_until_an_extension_moves_it(
    manager, agency, provider
):
    """Issue 21: completion after the end date only once an extension (amendment) moved it."""
    contract = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 6, 30)
    )
    with pytest.raises(ValidationFailed, match="after the contract's end date"):
        services.contract_complete(actor=manager, contract=contract, completed_on=date(2026, 7, 15))
    services.amendment_create(
        actor=manager,
        contract=contract,
        effective_on=date(2026, 6, 1),
        reason="Extended to finish the work",
        new_end_date=date(2026, 8, 31),
    )
    services.contract_complete(actor=manager, contract=contract, completed_on=date(2026, 7, 15))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED


def test_a_termination_dated_in_the_future_is_refused(manager, contract):
    later = contract.agency.today() + timedelta(days=30)
    with pytest.raises(ValidationFailed, match="in the future"):
        services.contract_terminate(
            actor=manager, contract=contract, terminated_on=later, reason="Closed"
        )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_reopening_a_terminated_contract_runs_it_again_and_cancels_the_closeout(manager, contract):
    """seed 000: the closeout evaluation the termination opened is no longer due."""
    services.contract_terminate(
        actor=manager, contract=contract, terminated_on=date(2026, 8, 31), reason="Test"
    )
    services.contract_reopen(actor=manager, contract=contract, reason="Terminated by mistake")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert (contract.terminated_on, contract.termination_reason) == (None, "")
    closeout = DueDate.objects.get(contract=contract, kind="closeout_evaluation")
    assert closeout.status == DueDateStatus.CANCELLED
    assert closeout.close_reason == "The contract was reopened"
    rows = list(contract.history.order_by("-history_id"))
    assert rows[0].history_change_reason == "Reopened (was terminated): Terminated by mistake"
    assert rows[0].history_user == manager
    assert rows[1].termination_reason == "Test"  # the history keeps it


def test_reopen_needs_a_reason_and_a_closed_contract(manager, contract):
    with pytest.raises(TransitionNotAllowed, match="Only a completed or terminated"):
        services.contract_reopen(actor=manager, contract=contract, reason="Why not")
    services.contract_complete(actor=manager, contract=contract, completed_on=date(2026, 3, 1))
    with pytest.raises(ValidationFailed, match="reason"):
        services.contract_reopen(actor=manager, contract=contract, reason=" ")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CONTRACT_MANAGER, True),
        (Role.CONTRACT_MONITOR, False),
        (Role.SENIOR_MANAGER, False),
        (Role.FINANCE_OFFICER, False),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_who_may_reopen_a_contract(make_user, manager, contract, role, allowed):
    services.contract_complete(actor=manager, contract=contract, completed_on=date(2026, 3, 1))
    actor = make_user(role)
    if allowed:
        services.contract_reopen(actor=actor, contract=contract, reason="Completed by mistake")
        contract.refresh_from_db()
        assert contract.status == ContractStatus.ACTIVE
    else:
        with pytest.raises(PermissionDeniedError):
            services.contract_reopen(actor=actor, contract=contract, reason="Completed by mistake")
