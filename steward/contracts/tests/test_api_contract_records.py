"""API: a contract's amendments, documents (metadata + upload), due dates and history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from steward.contracts.models import Amendment, ContractDocument
from steward.contracts.services import amendment_create, document_upload
from steward.core.tests.api_support import call, pdf_upload, session_client
from steward.parties.models import Role
from steward.testing.factories import ContractFactory, ProviderFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client(manager):
    return session_client(manager)


# ---------------------------------------------------------------- amendments


def test_amend_extends_and_lists(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/amendments",
        {
            "effective_on": "2026-10-01",
            "reason": "Extension while re-procuring",
            "new_end_date": "2027-03-31",
            "new_maximum_obligation": "300000.00",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sequence"], body["kind"]) == (1, "both")
    assert body["previous_end_date"] == "2026-12-31"
    assert body["new_maximum_obligation"] == "300000.00"
    listed = call(client, "get", f"/contracts/{contract.pk}/amendments").json()
    assert [a["sequence"] for a in listed] == [1]
    contract.refresh_from_db()
    assert contract.end_date == date(2027, 3, 31)


def test_amendment_without_reason_is_422_on_reason_and_writes_nothing(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/amendments",
        {"effective_on": "2026-10-01", "reason": " ", "new_end_date": "2027-03-31"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]
    assert not Amendment.objects.exists()


def test_amendment_with_negative_obligation_is_422_naming_it(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/amendments",
        {"effective_on": "2026-10-01", "reason": "Cut", "new_maximum_obligation": "-1"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["new_maximum_obligation"]


def test_amending_a_draft_is_409(client, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider)
    response = call(
        client,
        "post",
        f"/contracts/{draft.pk}/amendments",
        {"effective_on": "2026-10-01", "reason": "x", "new_end_date": "2027-03-31"},
    )
    assert response.status_code == 409
    assert "Edit the draft instead" in response.json()["detail"]


def test_amendment_list_query_count_does_not_grow(manager, contract, django_assert_max_num_queries):
    for n in range(1, 6):
        amendment_create(
            actor=manager,
            contract=contract,
            effective_on=date(2026, 6, 1),
            reason=f"r{n}",
            new_maximum_obligation=Decimal(250000 + n),
        )
    client = session_client(manager)
    with django_assert_max_num_queries(5):
        assert len(call(client, "get", f"/contracts/{contract.pk}/amendments").json()) == 5


# ---------------------------------------------------------------- documents


def test_upload_stores_the_document_and_lists_its_metadata(client, manager, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/documents",
        {"file": pdf_upload("master.pdf"), "kind": "master_contract", "title": "Signed contract"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "application/pdf"
    assert body["original_name"] == "master.pdf"
    assert body["uploaded_by"] == manager.get_full_name()
    assert len(body["sha256"]) == 64
    listed = call(client, "get", f"/contracts/{contract.pk}/documents").json()
    assert [d["title"] for d in listed] == ["Signed contract"]
    assert "file" not in listed[0]  # metadata only; files go through a checked download view


def test_upload_of_a_disguised_file_is_422_on_file_and_stores_nothing(client, contract, tmp_path):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/documents",
        {"file": pdf_upload("invoice.pdf", b"MZ\x90\x00 not a pdf"), "kind": "attachment"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]
    assert "signature" in response.json()["detail"]
    assert not ContractDocument.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_upload_with_an_unknown_kind_is_422_on_kind(client, contract):
    response = call(
        client,
        "post",
        f"/contracts/{contract.pk}/documents",
        {"file": pdf_upload(), "kind": "selfie"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["kind"]


def test_upload_without_a_file_is_422_on_file(client, contract):
    response = client.post(f"/api/v1/contracts/{contract.pk}/documents", {"kind": "attachment"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["file"]


def test_document_list_query_count_does_not_grow(manager, contract, django_assert_max_num_queries):
    for n in range(5):
        document_upload(
            actor=manager,
            contract=contract,
            kind="attachment",
            title=f"Doc {n}",
            upload=pdf_upload(f"doc{n}.pdf"),
        )
    client = session_client(manager)
    with django_assert_max_num_queries(5):
        assert len(call(client, "get", f"/contracts/{contract.pk}/documents").json()) == 5


# ---------------------------------------------------------------- due dates and history


def test_due_dates_show_rule_pack_and_explanation(client, manager, contract):
    """seed 000: closeout evaluation 60 days after completion"""
    with time_machine.travel(date(2027, 1, 4), tick=False):  # completion cannot be in the future
        done = call(
            session_client(manager),  # signed in on that day
            "post",
            f"/contracts/{contract.pk}/complete",
            {"completed_on": "2026-12-31"},
        )
    assert done.status_code == 200, done.content
    dues = call(client, "get", f"/contracts/{contract.pk}/due-dates").json()
    assert len(dues) == 1
    assert dues[0]["rule_key"] == "closeout_evaluation"
    assert dues[0]["pack_slug"] == "connecticut-opm"
    assert dues[0]["due_date"] == "2027-03-01"
    assert "60 days from 31 December 2026" in dues[0]["explanation"]


def test_history_lists_changes_with_reason_and_author(client, manager, agency, provider):
    draft = ContractFactory(agency=agency, provider=provider)
    call(client, "patch", f"/contracts/{draft.pk}", {"title": "Respite care (revised)"})
    call(client, "post", f"/contracts/{draft.pk}/execute", {"executed_on": "2026-01-02"})
    entries = call(client, "get", f"/contracts/{draft.pk}/history").json()
    assert [e["reason"] for e in entries[:2]] == ["Executed on 2 January 2026", "Edited"]
    assert entries[1]["who"] == manager.get_full_name()
    title_change = next(c for c in entries[1]["changes"] if c["field"] == "title")
    assert title_change["new"] == "Respite care (revised)"


def test_provider_user_cannot_read_history_or_due_dates_of_own_contract(make_user, contract):
    client = session_client(make_user(Role.PROVIDER_USER))
    assert call(client, "get", f"/contracts/{contract.pk}/history").status_code == 403
    assert call(client, "get", f"/contracts/{contract.pk}/due-dates").status_code == 403


def test_other_providers_contract_documents_and_amendments_are_404(make_user, agency):
    theirs = ContractFactory(agency=agency, provider=ProviderFactory(), status="active")
    client = session_client(make_user(Role.PROVIDER_USER))
    assert call(client, "get", f"/contracts/{theirs.pk}/documents").status_code == 404
    assert call(client, "get", f"/contracts/{theirs.pk}/amendments").status_code == 404
