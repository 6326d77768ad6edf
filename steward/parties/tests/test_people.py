"""People: an agency administrator invites its staff, gives them roles and deactivates them
(page, API and `steward users`); accounts are never deleted; `steward createsuperuser` works;
an oversight officer's view can be limited to a jurisdiction. Issue "Trust", point 13;
DOMAIN.md §1 (roles)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from steward.contracts.rules import visible_contracts_q
from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import AgencyKind, Role, User
from steward.parties.services import person_deactivate, person_invite
from steward.testing.factories import AgencyFactory, ContractFactory

LINK = re.compile(r"https?://[^\s]+/account/password/[^\s]+/")


@pytest.fixture
def agency_admin(make_user):
    return make_user(Role.AGENCY_ADMINISTRATOR, username="agencyadmin")


@pytest.fixture
def site_admin(make_user):
    return make_user(Role.ADMINISTRATOR, username="siteadmin", is_superuser=True)


def _invite(client: Client, **data: str):  # type: ignore[no-untyped-def]
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
    body.update(data)
    return client.post("/people/invite/", body)


def test_createsuperuser_makes_a_site_administrator(db):
    call_command("createsuperuser", interactive=False, username="root", email="root@example.org")
    root = User.objects.get(username="root")
    assert root.role == Role.ADMINISTRATOR and root.is_superuser and root.agency_id is None


def test_agency_administrator_invites_a_colleague_who_chooses_a_password_and_signs_in(
    agency_admin, agency, mailoutbox, django_capture_on_commit_callbacks
):
    client = session_client(agency_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, role=Role.CONTRACT_MANAGER, job_title="Contracts lead")
    assert response.status_code == 302, response.content
    person = User.objects.get(email="ada@example.org")
    assert (person.role, person.agency_id, person.has_usable_password()) == (
        Role.CONTRACT_MANAGER,
        agency.pk,
        False,
    )
    assert person.history.first().history_change_reason == (
        f"Invited by {agency_admin.get_full_name()}"
    )
    (mail,) = mailoutbox
    assert mail.to == ["ada@example.org"] and "Contract manager" in mail.body
    path = LINK.search(mail.body).group(0).split("testserver", 1)[-1]
    path = "/" + path.split("/", 3)[-1] if path.startswith("http") else path
    visitor = Client()
    form = visitor.get(path, follow=True)
    assert b"Choose your password" in form.content
    saved = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase-1", "new_password2": "a-long-new-passphrase-1"},
    )
    assert saved.status_code == 302
    signed_in = Client().post(
        "/login/", {"username": person.username, "password": "a-long-new-passphrase-1"}
    )
    assert signed_in.status_code == 302 and "/login/" not in signed_in["Location"]


def test_agency_administrator_cannot_invite_elsewhere_or_make_administrators(
    agency_admin, other_agency
):
    with pytest.raises(Exception, match="permission"):
        person_invite(
            actor=agency_admin,
            data={
                "email": "x@example.org",
                "role": Role.CONTRACT_MANAGER,
                "agency": other_agency.slug,
            },
        )
    with pytest.raises(Exception, match="site administrator"):
        person_invite(
            actor=agency_admin, data={"email": "y@example.org", "role": Role.ADMINISTRATOR}
        )
    response = call(
        session_client(agency_admin),
        "post",
        "/users",
        {"email": "z@example.org", "role": "provider_user", "provider": "bright-futures"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(
        email__in=["x@example.org", "y@example.org", "z@example.org"]
    ).exists()


def test_invitation_refuses_a_taken_email_naming_the_field(agency_admin, manager):
    response = call(
        session_client(agency_admin),
        "post",
        "/users",
        {"email": manager.email.upper(), "role": "contract_monitor"},
    )
    assert response.status_code == 422
    assert "email" in response.json()["errors"]


def test_lists_show_only_the_administrators_own_agency(
    agency_admin, manager, other_agency, make_user
):
    outsider = make_user(Role.CONTRACT_MANAGER, agency=other_agency, username="outsider")
    client = session_client(agency_admin)
    page = client.get("/people/")
    assert manager.email.encode() in page.content and outsider.email.encode() not in page.content
    listed = {p["username"] for p in call(client, "get", "/users").json()["items"]}
    assert "manager" in listed and "outsider" not in listed
    assert client.get(f"/people/{outsider.pk}/").status_code == 404
    assert call(client, "get", f"/users/{outsider.pk}").status_code == 404
    assert (
        call(client, "patch", f"/users/{outsider.pk}", {"role": "budget_holder"}).status_code == 404
    )
    # filtering and searching never reach beyond what the administrator may see
    found = call(client, "get", "/users", {"q": "outsider"}).json()["items"]
    assert found == []


@pytest.mark.parametrize(
    "role",
    [
        Role.CONTRACT_MANAGER,
        Role.CONTRACT_MONITOR,
        Role.BUDGET_HOLDER,
        Role.FINANCE_OFFICER,
        Role.PROCUREMENT_OFFICER,
        Role.SENIOR_MANAGER,
        Role.OVERSIGHT_OFFICER,
        Role.PROVIDER_USER,
    ],
)
def test_people_pages_and_api_are_refused_to_other_roles(make_user, manager, role):
    user = make_user(role)
    client = session_client(user)
    assert client.get("/people/").status_code == 403
    assert client.get("/people/invite/").status_code == 403
    assert client.get(f"/people/{manager.pk}/").status_code == 403
    assert call(client, "get", "/users").status_code == 403
    assert call(client, "get", "/users", {"q": "manager", "active": "true"}).status_code == 403
    assert (
        call(client, "post", "/users", {"email": "a@b.org", "role": "contract_manager"}).status_code
        == 403
    )
    assert (
        call(client, "post", f"/users/{manager.pk}/deactivate", {"reason": "x"}).status_code == 403
    )


def test_role_change_is_audited_and_nobody_changes_their_own(agency_admin, manager):
    client = session_client(agency_admin)
    response = call(client, "patch", f"/users/{manager.pk}", {"role": "senior_manager"})
    assert response.status_code == 200 and response.json()["role"] == "senior_manager"
    manager.refresh_from_db()
    assert manager.role == Role.SENIOR_MANAGER
    own = call(client, "patch", f"/users/{agency_admin.pk}", {"role": "contract_manager"})
    assert own.status_code == 422 and "role" in own.json()["errors"]


def test_deactivated_people_cannot_sign_in_or_use_tokens_and_are_never_deleted(
    agency_admin, manager
):
    api = token_client(manager)
    assert api.get("/api/v1/me/work").status_code == 200
    client = session_client(agency_admin)
    page = client.get(f"/people/{manager.pk}/deactivate/")
    assert b"will no longer be able to sign in" in page.content  # the confirmation step
    assert (
        client.post(f"/people/{manager.pk}/deactivate/", {"reason": "Left the agency"}).status_code
        == 302
    )
    manager.refresh_from_db()
    assert manager.is_active is False
    assert manager.history.first().history_change_reason == "Deactivated: Left the agency"
    assert api.get("/api/v1/me/work").status_code == 401
    assert (
        Client()
        .post("/login/", {"username": "manager", "password": "correct-horse-battery-staple"})
        .status_code
        == 200
    )
    assert call(client, "delete", f"/users/{manager.pk}").status_code == 405
    again = call(client, "post", f"/users/{manager.pk}/deactivate", {"reason": "twice"})
    assert again.status_code == 409
    assert call(client, "post", f"/users/{manager.pk}/reactivate").status_code == 200
    manager.refresh_from_db()
    assert manager.is_active


def test_nobody_deactivates_themselves(agency_admin):
    with pytest.raises(Exception, match="your own account"):
        person_deactivate(actor=agency_admin, person=agency_admin, reason="test")


def test_users_command_invites_changes_and_deactivates(site_admin, agency, mailoutbox):
    call_command(
        "users",
        "invite",
        "grace@example.org",
        "--role",
        "contract_monitor",
        "--agency",
        agency.slug,
        "--first-name",
        "Grace",
    )
    grace = User.objects.get(email="grace@example.org")
    assert grace.role == Role.CONTRACT_MONITOR and grace.agency == agency
    call_command("users", "set-role", grace.username, "contract_manager")
    call_command("users", "deactivate", grace.username, "--reason", "moved on")
    grace.refresh_from_db()
    assert (grace.role, grace.is_active) == (Role.CONTRACT_MANAGER, False)
    with pytest.raises(CommandError, match="already deactivated"):
        call_command("users", "deactivate", grace.username, "--reason", "again")
    with pytest.raises(CommandError, match="No user"):
        call_command("users", "reactivate", "nobody")


def test_oversight_officer_limited_to_a_jurisdiction_sees_only_its_agencies(
    packs, make_user, provider
):
    ct = AgencyFactory(jurisdiction="Connecticut", pack=packs["connecticut-opm"])
    uk = AgencyFactory(jurisdiction="Scotland", pack=packs["connecticut-opm"])
    opm = AgencyFactory(
        kind=AgencyKind.OVERSIGHT_BODY, jurisdiction="Connecticut", pack=packs["connecticut-opm"]
    )
    ct_contract = ContractFactory(agency=ct, provider=provider)
    uk_contract = ContractFactory(agency=uk, provider=provider)
    officer = make_user(Role.OVERSIGHT_OFFICER, agency=opm, jurisdiction="Connecticut")
    from steward.contracts.models import Contract

    seen = set(Contract.objects.filter(visible_contracts_q(officer)).values_list("pk", flat=True))
    assert ct_contract.pk in seen and uk_contract.pk not in seen
    assert officer.has_perm("contracts.view_contract", ct_contract)
    assert not officer.has_perm("contracts.view_contract", uk_contract)
    everywhere = make_user(Role.OVERSIGHT_OFFICER, agency=opm)
    assert everywhere.has_perm("contracts.view_contract", uk_contract)


def test_an_oversight_officer_oversees_their_own_jurisdiction_by_default(packs, make_user):
    """An oversight officer invited without a jurisdiction sees their own agency's (the
    Connecticut officer no longer averages UK councils into Connecticut's figures); one given
    explicitly is kept."""
    admin = make_user(Role.ADMINISTRATOR)
    opm = AgencyFactory(
        kind=AgencyKind.OVERSIGHT_BODY, jurisdiction="Connecticut", pack=packs["connecticut-opm"]
    )
    data = {"role": Role.OVERSIGHT_OFFICER, "agency": opm.slug}
    own = person_invite(actor=admin, data={**data, "email": "ct@example.org"})
    assert own.jurisdiction == "Connecticut"
    given = person_invite(
        actor=admin, data={**data, "email": "ne@example.org", "jurisdiction": "New England"}
    )
    assert given.jurisdiction == "New England"
    monitor = person_invite(
        actor=admin,
        data={"email": "m@example.org", "role": Role.CONTRACT_MONITOR, "agency": opm.slug},
    )
    assert monitor.jurisdiction == ""
