"""The API permission matrix: every role × every endpoint × own/other organisation.

"own" means the record belongs to the user's organisation: for agency staff the contract (or
agency) of their agency, for a provider user a contract with (or the record of) their provider.
"other" is the same record of another agency / provider. Administrators and oversight officers
have no "other" in effect. Every contract here is active (released), so a provider user may see
its own; drafts are covered in test_provider_cannot_see_own_draft_contract.

Cells are "own/other" HTTP statuses. 404 means the caller may not even know the record exists;
403 that they may see it but not do this (DOMAIN.md §1: oversight reads everything, writes no
agency record; a senior manager is read-only; a provider sees only its own, released records).
"""

from __future__ import annotations

import pytest

from steward.contracts.models import ContractStatus
from steward.core.tests.api_support import call, pdf_upload, session_client
from steward.parties.models import Role
from steward.parties.services import provider_create
from steward.testing.factories import ContractFactory, UserFactory

ROLES = {
    "admin": Role.ADMINISTRATOR,
    "oversight": Role.OVERSIGHT_OFFICER,
    "manager": Role.CONTRACT_MANAGER,
    "monitor": Role.CONTRACT_MONITOR,
    "budget": Role.BUDGET_HOLDER,
    "finance": Role.FINANCE_OFFICER,
    "procure": Role.PROCUREMENT_OFFICER,
    "senior": Role.SENIOR_MANAGER,
    "provider": Role.PROVIDER_USER,
}

# endpoint          admin   oversight manager monitor budget  finance procure senior  provider
MATRIX = """
contract.detail     200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
contract.create     201/201 403/403 201/403 403/403 403/403 403/403 403/403 403/403 403/403
contract.update     200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
contract.terminate  200/200 403/403 200/404 403/404 403/404 403/404 403/404 403/404 403/404
amendments.list     200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
amendments.create   201/201 403/403 201/404 403/404 403/404 201/404 403/404 403/404 403/404
documents.list      200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 200/404
documents.upload    201/201 403/403 201/404 201/404 403/404 403/404 201/404 403/404 403/404
due_dates.list      200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 403/404
history.list        200/200 200/200 200/404 200/404 200/404 200/404 200/404 200/404 403/404
provider.detail     200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/404
provider.update     200/200 200/200 200/403 403/403 403/403 403/403 200/403 403/403 200/404
agency.detail       200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200
agency.update       200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403 403/403
agency.assign_pack  200/200 200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403
renewals.create     201/201 403/403 201/404 403/404 403/404 201/404 403/404 403/404 403/404
contracts.import    200/200 403/403 200/403 403/403 403/403 403/403 403/403 403/403 403/403
"""

# Endpoints with no organisation: one status per role.
# endpoint               admin  oversight manager monitor budget finance procure senior provider
ROLE_ONLY = """
me                       200    200      200     200     200    200     200     200    200
agencies.list            200    200      200     200     200    200     200     200    200
agencies.create          201    403      403     403     403    403     403     403    403
providers.list           200    200      200     200     200    200     200     200    200
providers.create         201    403      201     403     403    403     201     403    403
packs.list               200    200      200     200     200    200     200     200    200
packs.detail             200    200      200     200     200    200     200     200    200
packs.copy               201    201      403     403     403    403     403     403    403
packs.update             200    200      403     403     403    403     403     403    403
packs.history            200    200      200     200     200    200     200     200    403
contracts.export         200    200      200     200     200    200     200     200    200
"""


def _parse(table: str) -> list[tuple[str, str, str]]:
    names = list(ROLES)
    rows = []
    for line in table.strip().splitlines():
        endpoint, *cells = line.split()
        assert len(cells) == len(names), line
        rows.extend((endpoint, role, cell) for role, cell in zip(names, cells, strict=True))
    return rows


MATRIX_CASES = [
    pytest.param(endpoint, role, org, int(cell.split("/")[i]), id=f"{endpoint}-{role}-{org}")
    for endpoint, role, cell in _parse(MATRIX)
    for i, org in enumerate(("own", "other"))
]
ROLE_ONLY_CASES = [
    pytest.param(endpoint, role, int(cell), id=f"{endpoint}-{role}")
    for endpoint, role, cell in _parse(ROLE_ONLY)
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def provider(agency):
    """Bright Futures, added by the agency, which therefore keeps its record with the provider
    itself and oversight (issue 19 point 2); Harbor Youth was added by nobody's agency."""
    adder = UserFactory(role=Role.PROCUREMENT_OFFICER, agency=agency, username="adder")
    return provider_create(
        actor=adder,
        data={"legal_name": "Bright Futures Family Services, Inc.", "slug": "bright-futures"},
    )


@pytest.fixture
def world(agency, other_agency, provider, other_provider, packs):
    """One active contract per (agency, provider) pairing that matters."""
    return {
        "own": ContractFactory(
            agency=agency, provider=provider, status=ContractStatus.ACTIVE, renewal_options=1
        ),
        "other_agency": ContractFactory(
            agency=other_agency, provider=provider, status=ContractStatus.ACTIVE, renewal_options=1
        ),
        "other_provider": ContractFactory(
            agency=agency, provider=other_provider, status=ContractStatus.ACTIVE
        ),
    }


def _request(endpoint: str, *, contract, agency_slug: str, provider_slug: str):
    """Return (method, path, body) for `endpoint` aimed at the given records."""
    c = f"/contracts/{contract.pk}"
    new_contract = {
        "agency": agency_slug,
        "provider": provider_slug,
        "number": "NEW-1",
        "title": "Respite care",
        "contract_type": "pos",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "maximum_obligation": "1000.00",
        "compensation_structure": "unit_rate",
        "procurement_method": "tendered",
    }
    return {
        "contract.detail": ("get", c, None),
        "contract.create": ("post", "/contracts", new_contract),
        "contract.update": ("patch", c, {"title": "Renamed"}),
        "contract.terminate": (
            "post",
            c + "/terminate",
            {"terminated_on": "2026-06-30", "reason": "Service no longer needed"},
        ),
        "amendments.list": ("get", c + "/amendments", None),
        "amendments.create": (
            "post",
            c + "/amendments",
            {"effective_on": "2026-06-01", "reason": "Extension", "new_end_date": "2027-06-30"},
        ),
        "documents.list": ("get", c + "/documents", None),
        "documents.upload": (
            "post",
            c + "/documents",
            {"file": pdf_upload(), "kind": "attachment", "title": "Budget"},
        ),
        "due_dates.list": ("get", c + "/due-dates", None),
        "history.list": ("get", c + "/history", None),
        "provider.detail": ("get", f"/providers/{provider_slug}", None),
        "provider.update": ("patch", f"/providers/{provider_slug}", {"phone": "555-0100"}),
        "agency.detail": ("get", f"/agencies/{agency_slug}", None),
        "agency.update": ("patch", f"/agencies/{agency_slug}", {"jurisdiction": "Statewide"}),
        "agency.assign_pack": ("patch", f"/agencies/{agency_slug}", {"pack": "milwaukee-mps"}),
        "renewals.create": (
            "post",
            c + "/renewals",
            {"effective_on": "2026-12-01", "new_end_date": "2030-12-31", "reason": "Option 1"},
        ),
        "contracts.import": (
            "post",
            "/contracts/import",
            {"background": False, "file": csv_upload(), "agency": agency_slug, "dry_run": True},
        ),
    }[endpoint]


def csv_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "register.csv",
        b"number,title,provider,contract type,start date,end date,maximum obligation,"
        b"compensation structure,procurement method\n"
        b"IMP-1,Imported,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n",
        content_type="text/csv",
    )


@pytest.mark.parametrize(("endpoint", "role", "org", "expected"), MATRIX_CASES)
def test_permission_matrix(endpoint, role, org, expected, world, make_user, agency, provider):
    user = make_user(ROLES[role])
    other = org == "other"
    if ROLES[role] == Role.PROVIDER_USER:
        contract = world["other_provider"] if other else world["own"]
    else:
        contract = world["other_agency"] if other else world["own"]
    agency_slug = "dmh" if other and ROLES[role] != Role.PROVIDER_USER else agency.slug
    provider_slug = "harbor-youth" if other and ROLES[role] == Role.PROVIDER_USER else provider.slug
    if endpoint.startswith("provider.") and other and ROLES[role] != Role.PROVIDER_USER:
        provider_slug = "harbor-youth"  # staff: a provider their agency has no contract with
    if endpoint.startswith("agency.") and other:
        agency_slug = "dmh"
    method, path, body = _request(
        endpoint, contract=contract, agency_slug=agency_slug, provider_slug=provider_slug
    )
    response = call(session_client(user), method, path, body)
    assert response.status_code == expected, response.content


@pytest.fixture
def editable_pack(packs, db):
    from steward.core.services import policy_pack_copy
    from steward.testing.factories import UserFactory

    admin = UserFactory(role=Role.ADMINISTRATOR, agency=None)
    return policy_pack_copy(
        actor=admin, source=packs["connecticut-opm"], slug="ct-local", name="CT local"
    )


def _role_only_request(endpoint: str, pack):
    return {
        "me": ("get", "/me", None),
        "agencies.list": ("get", "/agencies", None),
        "agencies.create": (
            "post",
            "/agencies",
            {"name": "Dept of Aging", "slug": "aging", "kind": "state_agency", "pack": pack.slug},
        ),
        "providers.list": ("get", "/providers", None),
        "contracts.export": ("get", "/contracts/export", {"format": "json"}),
        "providers.create": ("post", "/providers", {"legal_name": "New Dawn Housing"}),
        "packs.list": ("get", "/packs", None),
        "packs.detail": ("get", f"/packs/{pack.slug}", None),
        "packs.copy": ("post", f"/packs/{pack.slug}/copy", {"slug": "mine", "name": "Mine"}),
        "packs.update": (
            "put",
            f"/packs/{pack.slug}",
            {"rules": pack.rules, "reason": "Re-saved unchanged"},
        ),
        "packs.history": ("get", f"/packs/{pack.slug}/history", None),
    }[endpoint]


@pytest.mark.parametrize(("endpoint", "role", "expected"), ROLE_ONLY_CASES)
def test_role_permissions(endpoint, role, expected, make_user, editable_pack):
    user = make_user(ROLES[role])
    method, path, body = _role_only_request(endpoint, editable_pack)
    response = call(session_client(user), method, path, body)
    assert response.status_code == expected, response.content


# ---------------------------------------------------------------- the sharp edges, spelled out


@pytest.mark.django_db
def test_provider_cannot_see_own_draft_contract(agency, provider, make_user):
    draft = ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    client = session_client(make_user(Role.PROVIDER_USER))
    assert call(client, "get", f"/contracts/{draft.pk}").status_code == 404
    assert call(client, "get", f"/contracts/{draft.pk}/documents").status_code == 404
    assert call(client, "get", f"/contracts/{draft.pk}/amendments").status_code == 404
    assert call(client, "get", "/contracts").json()["count"] == 0


def test_provider_list_shows_only_own_released_contracts(world, agency, provider, make_user):
    ContractFactory(agency=agency, provider=provider, status=ContractStatus.DRAFT)
    client = session_client(make_user(Role.PROVIDER_USER))
    ids = {item["id"] for item in call(client, "get", "/contracts").json()["items"]}
    assert ids == {world["own"].pk, world["other_agency"].pk}


def test_provider_404_does_not_reveal_that_another_providers_contract_exists(world, make_user):
    client = session_client(make_user(Role.PROVIDER_USER))
    hidden = call(client, "get", f"/contracts/{world['other_provider'].pk}")
    missing = call(client, "get", "/contracts/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_agency_staff_list_shows_only_own_agency(world, make_user):
    client = session_client(make_user(Role.SENIOR_MANAGER))
    ids = {item["id"] for item in call(client, "get", "/contracts").json()["items"]}
    assert ids == {world["own"].pk, world["other_provider"].pk}


def test_oversight_officer_lists_every_agencys_contracts(world, make_user):
    client = session_client(make_user(Role.OVERSIGHT_OFFICER))
    assert call(client, "get", "/contracts").json()["count"] == 3


def test_refused_write_changes_nothing(world, make_user):
    """An oversight officer's PATCH (403) leaves the contract as it was."""
    contract = world["own"]
    client = session_client(make_user(Role.OVERSIGHT_OFFICER))
    response = call(client, "patch", f"/contracts/{contract.pk}", {"title": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    contract.refresh_from_db()
    assert contract.title != "Hijacked"


def test_provider_user_is_not_shown_agency_internal_notes(world, make_user):
    contract = world["own"]
    contract.notes = "Considering termination; do not share"
    contract.save()
    provider_client = session_client(make_user(Role.PROVIDER_USER))
    staff_client = session_client(make_user(Role.CONTRACT_MONITOR))

    detail = call(provider_client, "get", f"/contracts/{contract.pk}")
    listed = call(provider_client, "get", "/contracts")
    assert detail.json()["notes"] is None
    assert b"do not share" not in detail.content
    assert b"do not share" not in listed.content
    assert call(staff_client, "get", f"/contracts/{contract.pk}").json()["notes"] == (
        "Considering termination; do not share"
    )


def test_provider_user_sees_only_released_documents(world, make_user, settings, tmp_path):
    from steward.contracts.services import document_upload

    contract = world["own"]
    manager = make_user(Role.CONTRACT_MANAGER)
    document_upload(
        actor=manager,
        contract=contract,
        kind="attachment",
        title="Shared budget",
        upload=pdf_upload("shared.pdf"),
        released_to_provider=True,
    )
    document_upload(
        actor=manager,
        contract=contract,
        kind="other",
        title="Internal risk memo",
        upload=pdf_upload("memo.pdf"),
        released_to_provider=False,
    )
    provider_titles = [
        d["title"]
        for d in call(
            session_client(make_user(Role.PROVIDER_USER)),
            "get",
            f"/contracts/{contract.pk}/documents",
        ).json()
    ]
    staff_titles = {
        d["title"]
        for d in call(session_client(manager), "get", f"/contracts/{contract.pk}/documents").json()
    }
    assert provider_titles == ["Shared budget"]
    assert staff_titles == {"Shared budget", "Internal risk memo"}
