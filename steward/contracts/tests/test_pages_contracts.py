"""The contract pages: register, detail, forms, transitions, documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from steward.contracts.models import Contract, ContractDocument, ContractStatus
from steward.contracts.services import contract_complete, document_upload
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory
from steward.tests.pages import signed_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def manager_client(client, manager):
    return signed_in(client, manager)


def _valid_contract_post(provider, **overrides):
    data = {
        "number": "DCF-26-100",
        "title": "Respite care",
        "description": "",
        "provider": provider.pk,
        "contract_type": "pos",
        "service_type": "Respite",
        "object_code": "",
        "sponsor": "",
        "contract_manager": "",
        "start_date": "2026-07-01",
        "end_date": "2027-06-30",
        "renewal_options": "1",
        "renewal_terms": "",
        "maximum_obligation": "120000.00",
        "compensation_structure": "unit_rate",
        "rate_setting_authority": "",
        "procurement_method": "tendered",
        "authority_category": "",
        "notes": "Internal only",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------ register


def test_register_lists_only_visible_contracts(manager_client, contract, other_agency):
    ContractFactory(agency=other_agency, number="DMH-1", title="Other agency's contract")
    response = manager_client.get(reverse("contracts:list"))
    assert response.status_code == 200
    assert contract.number in response.content.decode()
    assert "DMH-1" not in response.content.decode()


def test_register_filters_by_search_and_status(manager_client, agency, provider):
    ContractFactory(
        agency=agency,
        provider=provider,
        number="A-1",
        title="Respite care",
        status=ContractStatus.ACTIVE,
    )
    ContractFactory(
        agency=agency,
        provider=provider,
        number="A-2",
        title="Respite beds",
        status=ContractStatus.DRAFT,
    )
    ContractFactory(
        agency=agency,
        provider=provider,
        number="A-3",
        title="Family therapy",
        status=ContractStatus.ACTIVE,
    )
    body = manager_client.get(
        reverse("contracts:list"), {"q": "respite", "status": "active"}
    ).content.decode()
    assert "A-1" in body
    assert "A-2" not in body
    assert "A-3" not in body
    assert "1 contract." in body


def test_register_sort_header_marks_sorted_column(manager_client, contract):
    body = manager_client.get(reverse("contracts:list"), {"sort": "-number"}).content.decode()
    assert 'aria-sort="descending"' in body
    assert body.count("aria-sort=") == 1


def test_register_bad_filter_date_is_reported_and_ignored(manager_client, contract):
    response = manager_client.get(reverse("contracts:list"), {"ends_before": "31/02/2026"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_ends_before"' in body
    assert contract.number in body


def test_register_htmx_request_gets_only_the_results(manager_client, contract):
    response = manager_client.get(reverse("contracts:list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert contract.number in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_register_paginates_by_fifty(manager_client, agency, provider):
    ContractFactory.create_batch(51, agency=agency, provider=provider)
    body = manager_client.get(reverse("contracts:list")).content.decode()
    assert "51 contracts, showing 1–50" in body
    assert "Page 1 of 2" in body


@pytest.mark.parametrize("rows", [5, 40])
def test_register_query_count_does_not_grow_with_rows(
    manager_client, agency, provider, rows, django_assert_max_num_queries
):
    ContractFactory.create_batch(rows, agency=agency, provider=provider)
    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("contracts:list"), {"sort": "provider"})
    assert response.status_code == 200


# ------------------------------------------------------------------ detail


def test_detail_shows_notes_to_staff_but_not_to_provider(client, manager, make_user, contract):
    Contract.objects.filter(pk=contract.pk).update(notes="Provider is slow to invoice")
    staff_body = (
        signed_in(client, manager)
        .get(reverse("contracts:detail", args=[contract.pk]))
        .content.decode()
    )
    assert "Provider is slow to invoice" in staff_body
    provider_body = (
        signed_in(client, make_user(Role.PROVIDER_USER))
        .get(reverse("contracts:detail", args=[contract.pk]))
        .content.decode()
    )
    assert "Provider is slow to invoice" not in provider_body
    assert "Internal notes" not in provider_body


def test_detail_shows_history_to_staff_only(client, manager, make_user, contract):
    from steward.contracts.services import contract_update

    contract_update(actor=manager, contract=contract, data={"title": "Renamed service"})
    staff_body = (
        signed_in(client, manager)
        .get(reverse("contracts:detail", args=[contract.pk]))
        .content.decode()
    )
    assert 'id="history"' in staff_body
    assert "Intensive family preservation → Renamed service" in staff_body
    provider_body = (
        signed_in(client, make_user(Role.PROVIDER_USER))
        .get(reverse("contracts:detail", args=[contract.pk]))
        .content.decode()
    )
    assert 'id="history"' not in provider_body


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC))
def test_detail_shows_due_dates_with_days_left_and_explanation(manager_client, manager, contract):
    contract_complete(actor=manager, contract=contract, completed_on=date(2026, 5, 20))
    body = manager_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    # 60 calendar days from 20 May 2026 is 19 July 2026, 48 days after 1 June.
    assert "19 July 2026" in body
    assert "48 days left" in body
    assert "60 days from 20 May 2026" in body


def test_detail_offers_only_allowed_transitions(client, make_user, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    manager_body = (
        signed_in(client, make_user(Role.CONTRACT_MANAGER))
        .get(reverse("contracts:detail", args=[draft.pk]))
        .content.decode()
    )
    assert "Mark as executed" in manager_body
    assert "Terminate early" not in manager_body
    senior_body = (
        signed_in(client, make_user(Role.SENIOR_MANAGER))
        .get(reverse("contracts:detail", args=[draft.pk]))
        .content.decode()
    )
    assert "Mark as executed" not in senior_body
    assert "Edit contract" not in senior_body


# ------------------------------------------------------------------ transitions


def test_execute_transition_changes_status_through_service(manager_client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    response = manager_client.post(
        reverse("contracts:transition", args=[draft.pk, "execute"]),
        {"on": "2026-01-05", "confirm": "yes"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ContractStatus.EXECUTED
    assert draft.executed_on == date(2026, 1, 5)
    assert draft.history.first().history_change_reason == "Executed on 5 January 2026"


@pytest.mark.parametrize("action", ["complete", "terminate"])
def test_a_status_change_first_shows_what_it_will_do(manager_client, contract, action):
    """GET shows the confirmation (what happens, who is told, Cancel); nothing changes."""
    response = manager_client.get(reverse("contracts:transition", args=[contract.pk, action]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "What will happen" in body
    assert "Who is told" in body
    assert "closeout evaluation" in body
    assert f'href="{reverse("contracts:detail", args=[contract.pk])}"' in body
    assert 'name="confirm" value="yes"' in body
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("complete", {"on": "2026-03-01"}),
        ("terminate", {"on": "2026-03-01", "reason": "Provider closed the service"}),
    ],
)
def test_a_status_change_posted_without_confirmation_does_nothing(
    manager_client, contract, action, data
):
    response = manager_client.post(
        reverse("contracts:transition", args=[contract.pk, action]), data
    )
    assert response.status_code == 200
    assert "What will happen" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert contract.history.count() == 1


def test_refused_transition_comes_back_on_the_confirmation(manager_client, contract):
    response = manager_client.post(
        reverse("contracts:transition", args=[contract.pk, "terminate"]),
        {"on": "2026-03-01", "reason": "  ", "confirm": "yes"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_completion_after_the_end_date_is_refused_on_the_page(manager_client, agency, provider):
    """Issue 21: "Mark as completed" accepted a date after the contract's end."""
    contract = ContractFactory(
        agency=agency, provider=provider, status="active", end_date=date(2026, 6, 30)
    )
    response = manager_client.post(
        reverse("contracts:transition", args=[contract.pk, "complete"]),
        {"on": "2026-07-15", "confirm": "yes"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "after the contract&#x27;s end date (30 June 2026)" in body
    assert 'value="2026-07-15"' in body  # the input is kept
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_transition_with_a_bad_date_writes_nothing(manager_client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    response = manager_client.post(
        reverse("contracts:transition", args=[draft.pk, "execute"]),
        {"on": "tomorrow", "confirm": "yes"},
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ContractStatus.DRAFT


def test_reopen_a_wrongly_completed_contract_from_its_page(manager_client, manager, contract):
    today = date.today()
    contract_complete(actor=manager, contract=contract, completed_on=min(today, contract.end_date))
    detail = manager_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Reopen the contract" in detail
    url = reverse("contracts:transition", args=[contract.pk, "reopen"])
    assert "What will happen" in manager_client.get(url).content.decode()
    manager_client.post(url, {"reason": "Completed the wrong contract"})  # not confirmed
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED
    response = manager_client.post(
        url, {"reason": "Completed the wrong contract", "confirm": "yes"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert contract.completed_on is None
    reason = contract.history.order_by("-history_id").first().history_change_reason
    assert reason == "Reopened (was completed): Completed the wrong contract"


def test_reopen_needs_a_reason(manager_client, manager, contract):
    contract_complete(actor=manager, contract=contract, completed_on=contract.start_date)
    response = manager_client.post(
        reverse("contracts:transition", args=[contract.pk, "reopen"]),
        {"reason": "", "confirm": "yes"},
    )
    assert response.status_code == 200
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED


# ------------------------------------------------------------------ forms


def test_create_contract_through_the_form(manager_client, manager, provider):
    response = manager_client.post(reverse("contracts:create"), _valid_contract_post(provider))
    contract = Contract.objects.get(number="DCF-26-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:detail", args=[contract.pk])
    assert contract.status == ContractStatus.DRAFT
    assert contract.maximum_obligation == Decimal("120000.00")
    assert contract.contract_manager == manager


def test_create_contract_with_end_before_start_shows_field_error(manager_client, provider):
    response = manager_client.post(
        reverse("contracts:create"),
        _valid_contract_post(provider, start_date="2026-07-01", end_date="2026-06-30"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_end_date"' in body
    assert 'id="id_end_date-error"' in body
    assert 'aria-invalid="true"' in body
    assert not Contract.objects.filter(number="DCF-26-100").exists()


def test_create_contract_with_unreadable_date_shows_field_error(manager_client, provider):
    response = manager_client.post(
        reverse("contracts:create"), _valid_contract_post(provider, start_date="32/13/2026")
    )
    body = response.content.decode()
    assert 'id="id_start_date-error"' in body
    assert "Enter a valid date." in body
    assert not Contract.objects.filter(number="DCF-26-100").exists()


def test_service_error_is_shown_on_the_field(manager_client, contract, provider):
    """A number already used in the agency is refused by the service's full_clean."""
    response = manager_client.post(
        reverse("contracts:create"), _valid_contract_post(provider, number=contract.number)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert Contract.objects.filter(number=contract.number).count() == 1


def test_editing_an_executed_contracts_dates_points_to_amendments(manager_client, contract):
    url = reverse("contracts:edit", args=[contract.pk])
    form = manager_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["provider"] = contract.provider_id
    data["contract_manager"] = ""
    data["end_date"] = "2027-12-31"
    data["start_date"] = contract.start_date.isoformat()
    response = manager_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Fixed once executed: record an amendment." in body
    contract.refresh_from_db()
    assert contract.end_date == date(2026, 12, 31)


def test_amendment_form_records_an_amendment(manager_client, contract):
    response = manager_client.post(
        reverse("contracts:amendment_create", args=[contract.pk]),
        {"effective_on": "2026-06-01", "new_end_date": "2027-06-30", "reason": "Extension"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 6, 30)
    assert contract.amendments.get().reason == "Extension"


def test_amendment_with_end_before_start_shows_field_error(manager_client, contract):
    response = manager_client.post(
        reverse("contracts:amendment_create", args=[contract.pk]),
        {"effective_on": "2026-06-01", "new_end_date": "2025-01-01", "reason": "Oops"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_new_end_date-error"' in body
    assert "cannot be before the start date" in body
    assert contract.amendments.count() == 0


# ------------------------------------------------------------------ documents


def test_upload_and_download_a_document(manager_client, contract):
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = manager_client.post(
        reverse("contracts:document_create", args=[contract.pk]),
        {
            "kind": "attachment",
            "title": "Program plan",
            "file": upload,
            "released_to_provider": "on",
        },
    )
    assert response.status_code == 302
    document = ContractDocument.objects.get(contract=contract)
    download = manager_client.get(
        reverse("contracts:document_download", args=[contract.pk, document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_upload_of_a_fake_pdf_shows_the_reason(manager_client, contract):
    upload = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = manager_client.post(
        reverse("contracts:document_create", args=[contract.pk]),
        {"kind": "attachment", "title": "", "file": upload},
    )
    assert response.status_code == 200
    assert "signature does not match" in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_provider_cannot_download_unreleased_document(client, manager, make_user, contract):
    hidden = document_upload(
        actor=manager,
        contract=contract,
        kind="other",
        title="Internal memo",
        upload=SimpleUploadedFile("memo.pdf", PDF),
        released_to_provider=False,
    )
    shared = document_upload(
        actor=manager,
        contract=contract,
        kind="other",
        title="Shared plan",
        upload=SimpleUploadedFile("plan.pdf", PDF),
        released_to_provider=True,
    )
    provider_client = signed_in(client, make_user(Role.PROVIDER_USER))
    detail = provider_client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "Shared plan" in detail
    assert "Internal memo" not in detail
    url = "contracts:document_download"
    assert provider_client.get(reverse(url, args=[contract.pk, hidden.pk])).status_code == 404
    assert provider_client.get(reverse(url, args=[contract.pk, shared.pk])).status_code == 200


def test_other_providers_user_cannot_download(client, manager, make_user, contract):
    doc = document_upload(
        actor=manager,
        contract=contract,
        kind="other",
        title="Plan",
        upload=SimpleUploadedFile("plan.pdf", PDF),
    )
    stranger = make_user(Role.PROVIDER_USER, provider=ProviderFactory())
    response = signed_in(client, stranger).get(
        reverse("contracts:document_download", args=[contract.pk, doc.pk])
    )
    assert response.status_code == 404


def test_seed_003_contracts_terminate_through_the_review_not_the_shortcut(client, packs, make_user):
    """seed 003 "Termination of Contract": the contract manager reviews the supply
    repercussions and the contractual capacity, then gives notice; no one-click termination."""
    from steward.testing.factories import AgencyFactory

    council = AgencyFactory(slug="sc-cs", pack=packs["scottish-childrens"])
    contract = ContractFactory(agency=council, status="active")
    client = signed_in(client, make_user(Role.CONTRACT_MANAGER, agency=council))
    review = reverse("procurement:termination", args=[contract.pk])
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert f'href="{review}"' in detail
    url = reverse("contracts:transition", args=[contract.pk, "terminate"])
    assert client.get(url)["Location"] == review
    response = client.post(url, {"on": "2026-03-01", "reason": "test", "confirm": "yes"})
    assert response["Location"] == review
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_us_pack_contracts_keep_terminating_from_their_page(manager_client, contract):
    """A Connecticut contract has no review workflow: terminate with a date, a reason and the
    confirmation."""
    response = manager_client.post(
        reverse("contracts:transition", args=[contract.pk, "terminate"]),
        {"on": "2026-03-01", "reason": "The provider closed", "confirm": "yes"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
