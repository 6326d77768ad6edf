"""API: agencies — list, create, detail, change (fields and pack assignment)."""

from __future__ import annotations

import pytest

from steward.core.tests.api_support import call, session_client
from steward.parties.models import Agency, Role
from steward.testing.factories import AgencyFactory


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMINISTRATOR)


def test_agency_list_query_count_does_not_grow(manager, packs, django_assert_max_num_queries):
    client = session_client(manager)
    AgencyFactory.create_batch(3, pack=packs["milwaukee-mps"])
    with django_assert_max_num_queries(6) as few:
        assert len(call(client, "get", "/agencies").json()) == 4
    AgencyFactory.create_batch(20, pack=packs["milwaukee-mps"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call(client, "get", "/agencies").json()) == 24


def test_admin_creates_an_agency_with_a_pack_by_slug(admin, packs):
    response = call(
        session_client(admin),
        "post",
        "/agencies",
        {
            "name": "Milwaukee Public Schools",
            "slug": "mps",
            "kind": "school_district",
            "pack": "milwaukee-mps",
            "closure_days": ["2026-12-24", "2026-12-24"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["pack"] == "milwaukee-mps"
    agency = Agency.objects.get(slug="mps")
    assert agency.pack == packs["milwaukee-mps"]
    assert agency.closure_days == ["2026-12-24"]
    assert agency.history.first().history_user == admin


def test_create_with_unknown_pack_is_422_on_pack_and_writes_nothing(admin, packs):
    response = call(
        session_client(admin),
        "post",
        "/agencies",
        {"name": "Dept of Aging", "slug": "aging", "kind": "state_agency", "pack": "atlantis"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["pack"]
    assert not Agency.objects.filter(slug="aging").exists()


def test_create_with_unknown_kind_is_422_on_kind(admin, packs):
    response = call(
        session_client(admin),
        "post",
        "/agencies",
        {"name": "Dept of Aging", "slug": "aging", "kind": "ministry", "pack": "milwaukee-mps"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["kind"]


def test_create_with_taken_slug_is_422_on_slug(admin, agency):
    response = call(
        session_client(admin),
        "post",
        "/agencies",
        {"name": "Another", "slug": "dcf", "kind": "state_agency", "pack": "connecticut-opm"},
    )
    assert response.status_code == 422
    assert "slug" in response.json()["errors"]


def test_agency_detail(manager, agency):
    body = call(session_client(manager), "get", "/agencies/dcf").json()
    assert body["name"] == "Department of Children and Families"
    assert body["pack"] == "connecticut-opm"


def test_unknown_agency_is_404(manager):
    assert call(session_client(manager), "get", "/agencies/nowhere").status_code == 404


def test_oversight_officer_assigns_a_pack(make_user, agency, packs):
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    response = call(session_client(oversight), "patch", "/agencies/dcf", {"pack": "west-london-sp"})
    assert response.status_code == 200, response.content
    agency.refresh_from_db()
    assert agency.pack == packs["west-london-sp"]
    assert agency.history.first().history_change_reason == "Policy pack set to west-london-sp"


def test_oversight_officer_cannot_change_other_fields(make_user, agency):
    oversight = make_user(Role.OVERSIGHT_OFFICER)
    response = call(
        session_client(oversight),
        "patch",
        "/agencies/dcf",
        {"pack": "west-london-sp", "name": "Renamed"},
    )
    assert response.status_code == 403
    agency.refresh_from_db()
    assert agency.name == "Department of Children and Families"
    assert agency.pack.slug == "connecticut-opm"


def test_admin_changes_agency_fields(admin, agency):
    response = call(
        session_client(admin), "patch", "/agencies/dcf", {"jurisdiction": "Connecticut"}
    )
    assert response.status_code == 200
    assert response.json()["jurisdiction"] == "Connecticut"


def test_patch_with_bad_email_is_422_on_contact_email(admin, agency):
    response = call(
        session_client(admin), "patch", "/agencies/dcf", {"contact_email": "not-an-email"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["contact_email"]
    agency.refresh_from_db()
    assert agency.contact_email == ""
