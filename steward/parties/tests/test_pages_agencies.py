"""Agency create and edit pages; an oversight officer assigns the policy pack (DOMAIN.md §4:
each agency follows one pack)."""

from __future__ import annotations

import pytest

from steward.parties.models import Agency, Role

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Department of Developmental Services",
    "slug": "dds",
    "kind": "state_agency",
    "pack": "connecticut-opm",
    "jurisdiction": "Connecticut",
    "address": "",
    "contact_email": "contracts@dds.example.gov",
    "closure_days": "2026-12-24\n\n2026-12-31",
}


def test_administrator_adds_an_agency_with_audit(client, make_user, packs):
    admin = make_user(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.post("/agencies/new/", NEW)
    assert response.status_code == 302
    agency = Agency.objects.get(slug="dds")
    assert agency.pack == packs["connecticut-opm"]
    assert agency.closure_days == ["2026-12-24", "2026-12-31"]
    assert agency.history.get().history_user == admin


def test_a_bad_closure_day_names_its_line_and_writes_nothing(client, make_user, packs):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post("/agencies/new/", {**NEW, "closure_days": "2026-12-24\n24/12/2026"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["closure_days"]
    assert "Line 2" in errors["closure_days"][0]
    assert "Line 2" in response.content.decode()
    assert not Agency.objects.filter(slug="dds").exists()


def test_a_slug_in_use_is_a_field_error(client, make_user, agency):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post("/agencies/new/", {**NEW, "slug": agency.slug})
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["slug"])
    assert Agency.objects.filter(slug=agency.slug).count() == 1


def test_oversight_officer_changes_only_the_pack(client, make_user, agency, packs):
    """Oversight officers own the packs (DOMAIN.md §1); other agency fields are refused by
    being absent from their form, so posted values for them are ignored."""
    client.force_login(make_user(Role.OVERSIGHT_OFFICER))
    page = client.get(f"/agencies/{agency.slug}/edit/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    response = client.post(
        f"/agencies/{agency.slug}/edit/", {"pack": "massachusetts-osd", "name": "Renamed"}
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.pack == packs["massachusetts-osd"]
    assert agency.name == "Department of Children and Families"
    assert agency.history.first().history_change_reason == "Policy pack set to massachusetts-osd"


def test_administrator_edits_every_field(client, make_user, agency):
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.post(
        f"/agencies/{agency.slug}/edit/",
        {**NEW, "slug": agency.slug, "name": "DCF (renamed)", "closure_days": ""},
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.name == "DCF (renamed)"
    assert agency.contact_email == "contracts@dds.example.gov"
    assert agency.closure_days == []
    assert agency.history.first().history_change_reason == "Edited"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.CONTRACT_MANAGER, 403), (Role.SENIOR_MANAGER, 403), (Role.PROVIDER_USER, 403)],
)
def test_others_may_not_edit_agencies(client, make_user, agency, role, status):
    """Like the provider pages: 404 only for a record the person may not see. Every signed-in
    person may see every agency (agencies.view_agency), so a provider user gets 403 too."""
    client.force_login(make_user(role))
    assert client.get(f"/agencies/{agency.slug}/edit/").status_code == status
    assert (
        client.post(f"/agencies/{agency.slug}/edit/", {"pack": "milwaukee-mps"}).status_code
        == status
    )
    assert client.get("/agencies/new/").status_code == 403
    agency.refresh_from_db()
    assert agency.pack.slug == "connecticut-opm"


def test_edit_links_show_only_to_those_allowed(client, make_user, agency):
    client.force_login(make_user(Role.ADMINISTRATOR))
    body = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "Edit agency" in body
    assert "Add an agency" in client.get("/agencies/").content.decode()
    client.force_login(make_user(Role.OVERSIGHT_OFFICER))
    body = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "Change policy pack" in body and "Edit agency" not in body
    assert "Add an agency" not in client.get("/agencies/").content.decode()
    client.force_login(make_user(Role.CONTRACT_MANAGER))
    body = client.get(f"/agencies/{agency.slug}/").content.decode()
    assert "Change policy pack" not in body and "Edit agency" not in body
