"""The procurement file of a Massachusetts purchase-of-service RFR (seed 004, issue 22):
documents attached to debriefings and appeals; the RFR's checklist and its issuing; the
provider's forms on file with their expiry. Each rule through the service, the API and the
page, with who may and may not."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from steward.contracts.models import DueDate, DueDateStatus
from steward.contracts.services import contract_execute
from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.tests.api_support import call, pdf_upload, session_client, token_client
from steward.parties.models import Role
from steward.pricing.services import attachment_set
from steward.procurement import calc, services, services_file
from steward.procurement.models import ProcurementDocument, ProviderForm
from steward.procurement.tests.test_massachusetts import AWARD, _award_and_notify
from steward.testing.factories import AgencyFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db

APRIL = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # after the debriefing, in time to appeal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def dmh(packs):
    return AgencyFactory(
        name="Department of Mental Health", slug="ma-dmh", pack=packs["massachusetts-osd"]
    )


@pytest.fixture
def manager(dmh):
    return UserFactory(role=Role.CONTRACT_MANAGER, agency=dmh, username="ma-manager")


@pytest.fixture
def rfr(dmh, manager):
    """An RFR with two bidders, scored: A first, B second."""
    solicitation = services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={"reference": "DMH-RFR-01", "title": "Clubhouse services", "estimated_value": "5"},
        criteria=[("Program", "100")],
    )
    bids = []
    for name, mark in (("Bidder A", 90), ("Bidder B", 70)):
        bid = services.bid_record(
            actor=manager,
            solicitation=solicitation,
            provider=ProviderFactory(legal_name=name),
            price="480000",
            received_on=date(2026, 1, 10),
        )
        services.score_record(
            actor=manager, bid=bid, criterion=solicitation.criteria.get(), score=mark
        )
        bids.append(bid)
    return solicitation, bids


def _debriefed(rfr, manager):
    solicitation, bids = rfr
    _award_and_notify(solicitation, bids[0], manager)
    lose = bids[1]
    request = services.debriefing_request(actor=manager, bid=lose, requested_on=date(2026, 3, 3))
    services.debriefing_meeting_record(
        actor=manager, request=request, held_on=date(2026, 3, 10), attendees="a", discussion="b"
    )
    return solicitation, lose, request


@time_machine.travel(APRIL)
def test_documents_are_attached_to_the_debriefing_and_the_appeal_seed_004(rfr, manager):
    """seed 004: "Written documentation of who attended and what was discussed at the
    debriefing must be placed in the procurement file" and "All documentation pertaining to
    appeals must be placed in the procurement file": the bidder attaches its appeal letter,
    staff the debriefing notes; the upload checks refuse a file that is not what it says."""
    solicitation, lose, request = _debriefed(rfr, manager)
    bidder = UserFactory(role=Role.PROVIDER_USER, provider=lose.provider, agency=None)
    appeal = services.appeal_lodge(
        actor=bidder, bid=lose, ground="non_compliance", statement="The RFR was not followed."
    )
    notes = services_file.document_add(
        actor=manager, upload=pdf_upload("notes.pdf"), title="Notes", debriefing=request
    )
    assert notes.solicitation == solicitation and notes.debriefing == request
    with pytest.raises(ValidationFailed) as exc:
        services_file.document_add(
            actor=bidder,
            upload=SimpleUploadedFile("letter.pdf", b"not a pdf at all"),
            appeal=appeal,
        )
    assert "file" in exc.value.errors
    api = call(
        token_client(bidder),
        "post",
        f"/procurement/appeals/{appeal.pk}/documents",
        {"file": pdf_upload("appeal-letter.pdf"), "title": "Appeal letter"},
    )
    assert api.status_code == 201, api.content
    assert api.json()["appeal_id"] == appeal.pk
    listed = call(
        token_client(bidder), "get", f"/procurement/solicitations/{solicitation.pk}/documents"
    )
    assert {d["title"] for d in listed.json()} == {"Notes", "Appeal letter"}
    page = session_client(bidder).get(reverse("procurement:detail", args=[solicitation.pk]))
    assert "Appeal letter" in page.content.decode() and "Notes" in page.content.decode()
    download = session_client(bidder).get(reverse("procurement:document", args=[notes.pk]))
    assert download.status_code == 200
    staff_page = session_client(manager).post(
        reverse("procurement:document_upload", args=[solicitation.pk]),
        {"target": f"debriefing:{request.pk}", "file": pdf_upload("attendance.pdf")},
    )
    assert staff_page.status_code == 302
    assert ProcurementDocument.objects.filter(debriefing=request).count() == 2


@time_machine.travel(APRIL)
def test_other_bidders_and_agencies_cannot_attach_or_read_seed_004(rfr, manager):
    """seed 004 file documents are the bidder's and the agency's: another bidder gets 404 on
    the appeal and on the document; another agency's staff 404; a monitor of the agency may
    read but not attach to a debriefing (403)."""
    solicitation, _lose, request = _debriefed(rfr, manager)
    notes = services_file.document_add(actor=manager, upload=pdf_upload(), debriefing=request)
    winner = UserFactory(
        role=Role.PROVIDER_USER, provider=solicitation.awarded_bid.provider, agency=None
    )
    other_agency_staff = UserFactory(
        role=Role.PROCUREMENT_OFFICER, agency=AgencyFactory(slug="elsewhere")
    )
    for outsider in (winner, other_agency_staff):
        response = call(
            token_client(outsider),
            "post",
            f"/procurement/debriefings/{request.pk}/documents",
            {"file": pdf_upload()},
        )
        assert response.status_code == 404, outsider
        assert (
            session_client(outsider)
            .get(reverse("procurement:document", args=[notes.pk]))
            .status_code
            == 404
        )
    monitor = UserFactory(role=Role.CONTRACT_MONITOR, agency=solicitation.agency)
    with pytest.raises(PermissionDeniedError):
        services_file.document_add(actor=monitor, upload=pdf_upload(), debriefing=request)
    assert (
        session_client(monitor).get(reverse("procurement:document", args=[notes.pk])).status_code
        == 200
    )


def _pos_rfr(dmh, manager, **data):
    return services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={
            "reference": "DMH-POS-RFR-7",
            "title": "Residential recovery",
            "estimated_value": "900000",
            "purchase_of_service": True,
            **data,
        },
        criteria=[("Program", "100")],
    )


def test_a_pos_rfr_is_issued_only_with_its_checklist_complete_seed_004(dmh, manager):
    """seed 004 "Required Forms/Use of POS Attachments": the Commonwealth Terms and Conditions
    for Human and Social Services is a required attachment to the RFR, with the Supplier
    Diversity Plan form, the program and staffing specifications and the budget forms; bids are
    received once it is issued (409 before); issuing with an item missing is 409."""
    pos = _pos_rfr(dmh, manager)
    bidder = ProviderFactory(legal_name="Harbor Health")
    with pytest.raises(TransitionNotAllowed, match="not been issued"):
        services.bid_record(
            actor=manager,
            solicitation=pos,
            provider=bidder,
            price="1",
            received_on=date(2026, 1, 5),
        )
    for key, _label in calc.RFR_CHECKLIST[:-1]:
        services_file.document_add(
            actor=manager, upload=pdf_upload(f"{key}.pdf"), solicitation=pos, checklist_item=key
        )
    api = token_client(manager)
    refused = call(api, "post", f"/procurement/solicitations/{pos.pk}/issue")
    assert refused.status_code == 409, refused.content
    assert "Budget forms" in refused.json()["detail"]
    pos.refresh_from_db()
    assert pos.issued_on is None
    added = call(
        api,
        "post",
        f"/procurement/solicitations/{pos.pk}/checklist/budget_forms",
        {"file": pdf_upload("budget.pdf")},
    )
    assert added.status_code == 201, added.content
    issued = call(api, "post", f"/procurement/solicitations/{pos.pk}/issue")
    assert issued.status_code == 200, issued.content
    assert issued.json()["complete"] and issued.json()["issued_on"]
    assert "information only" in issued.json()["terms_instruction"]  # electronic responses
    again = call(api, "post", f"/procurement/solicitations/{pos.pk}/issue")
    assert again.status_code == 409
    services.bid_record(
        actor=manager, solicitation=pos, provider=bidder, price="1", received_on=date(2026, 1, 5)
    )
    page = session_client(manager).get(reverse("procurement:detail", args=[pos.pk]))
    assert "What the RFR carries" in page.content.decode()


def test_paper_responses_sign_the_terms_with_the_response_seed_004(dmh, manager):
    """seed 004: for hardcopy responses bidders execute the Terms and Conditions as part of the
    response; a non-POS RFR has no checklist; another agency cannot issue (404)."""
    pos = _pos_rfr(dmh, manager, electronic_responses=False)
    checklist = call(token_client(manager), "get", f"/procurement/solicitations/{pos.pk}/checklist")
    assert "part of their response" in checklist.json()["terms_instruction"]
    plain = services.solicitation_create(
        actor=manager,
        agency=dmh,
        data={"reference": "DMH-GOODS-1", "title": "Chairs", "estimated_value": "10"},
        criteria=[("Price", "100")],
    )
    assert (
        call(
            token_client(manager), "get", f"/procurement/solicitations/{plain.pk}/checklist"
        ).json()["applies"]
        is False
    )
    stranger = UserFactory(role=Role.PROCUREMENT_OFFICER, agency=AgencyFactory(slug="far"))
    assert (
        call(
            token_client(stranger), "post", f"/procurement/solicitations/{pos.pk}/issue"
        ).status_code
        == 404
    )
    monitor = UserFactory(role=Role.CONTRACT_MONITOR, agency=dmh)
    assert (
        call(
            token_client(monitor), "post", f"/procurement/solicitations/{pos.pk}/issue"
        ).status_code
        == 403
    )


@time_machine.travel(datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
def test_provider_forms_on_file_expire_as_due_dates_and_flag_the_bid_seed_004(dmh, manager):
    """seed 004: the Terms and Conditions are required "if the form is not already on file";
    the Supplier Diversity Plan form too. A form recorded with its expiry opens a due date for
    the provider (reminders); a bidder without valid forms is flagged on the file, and its
    contract is not executed until the Terms and Conditions are on file (409)."""
    pos = _pos_rfr(dmh, manager)
    for key, _label in calc.RFR_CHECKLIST:
        services_file.document_add(
            actor=manager, upload=pdf_upload(), solicitation=pos, checklist_item=key
        )
    services_file.solicitation_issue(actor=manager, solicitation=pos)
    bidder = ProviderFactory(legal_name="Harbor Health")
    expired = services_file.provider_form_record(
        actor=manager,
        agency=dmh,
        provider=bidder,
        kind="terms_conditions",
        signed_on=date(2023, 1, 1),
        expires_on=date(2025, 12, 31),
    )
    due = DueDate.objects.get(kind="provider_form", subject_id=expired.pk)
    assert due.due_date == date(2025, 12, 31) and due.provider == bidder
    bid = services.bid_record(
        actor=manager,
        solicitation=pos,
        provider=bidder,
        price="800000",
        received_on=date(2026, 1, 5),
    )
    problems = services_file.bid_form_problems(pos, bidder.pk, date(2026, 1, 5))
    assert any("Terms and Conditions" in p and "has expired" in p for p in problems)
    assert any("Supplier Diversity Plan" in p and "not on file" in p for p in problems)
    page = session_client(manager).get(reverse("procurement:detail", args=[pos.pk]))
    assert "has expired" in page.content.decode()
    services.score_record(actor=manager, bid=bid, criterion=pos.criteria.get(), score=80)
    services.solicitation_award(actor=manager, solicitation=pos, bid=bid, contract_data=AWARD)
    pos.refresh_from_db()
    attachment_set(actor=manager, contract=pos.contract, number=1, required=True, completed=True)
    with pytest.raises(TransitionNotAllowed, match="Terms and Conditions"):
        contract_execute(actor=manager, contract=pos.contract, executed_on=date(2026, 1, 5))
    api = token_client(manager)
    renewed = call(
        api,
        "post",
        f"/procurement/providers/{bidder.pk}/forms",
        {"kind": "terms_conditions", "signed_on": "2026-01-02", "expires_on": "2029-01-01"},
    )
    assert renewed.status_code == 201, renewed.content
    due.refresh_from_db()
    assert due.status == DueDateStatus.CANCELLED  # replaced by the newer form's
    assert DueDate.objects.filter(kind="provider_form", status=DueDateStatus.OPEN).count() == 1
    contract_execute(actor=manager, contract=pos.contract, executed_on=date(2026, 1, 5))
    listed = call(api, "get", f"/procurement/providers/{bidder.pk}/forms")
    assert [f["expires_on"] for f in listed.json()] == ["2029-01-01", "2025-12-31"]


def test_provider_forms_permissions_seed_004(dmh, manager):
    """Provider forms: the provider's own users read them, another provider 404; a monitor
    cannot record (403); expiry before signing is 422."""
    provider = ProviderFactory(legal_name="Harbor Health")
    own = UserFactory(role=Role.PROVIDER_USER, provider=provider, agency=None)
    other = UserFactory(role=Role.PROVIDER_USER, provider=ProviderFactory(), agency=None)
    path = f"/procurement/providers/{provider.pk}/forms"
    body = {"kind": "supplier_diversity", "signed_on": "2026-01-02", "expires_on": "2025-01-01"}
    assert call(token_client(manager), "post", path, body).status_code == 422
    monitor = UserFactory(role=Role.CONTRACT_MONITOR, agency=dmh)
    body["expires_on"] = "2027-01-01"
    assert call(token_client(monitor), "post", path, body).status_code == 403
    assert call(token_client(own), "post", path, body).status_code in (403, 422)
    assert call(token_client(manager), "post", path, body).status_code == 201
    assert len(call(token_client(own), "get", path).json()) == 1
    assert call(token_client(other), "get", path).status_code == 404
    page = session_client(manager).get(reverse("procurement:provider_forms", args=[provider.pk]))
    assert (
        "Supplier Diversity Plan" in page.content.decode()
        and "Record a signed form" in page.content.decode()
    )
    assert (
        session_client(own)
        .get(reverse("procurement:provider_forms", args=[provider.pk]))
        .status_code
        == 200
    )
    assert ProviderForm.objects.count() == 1
