"""Optimistic concurrency on people's accounts (issue 19 point 6; docs/security.md §6).

Two administrators change the same account: the second save, started from the older version, is
refused (412 on the API, the page shown again with the other change and the input kept) instead
of silently undoing the first. Signing in is not an edit and does not move the version on."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_logged_in
from django.test import RequestFactory

from steward.core.tests.api_support import session_client
from steward.parties.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(make_user):
    ours = make_user(Role.AGENCY_ADMINISTRATOR, username="agencyadmin")
    theirs = make_user(
        Role.AGENCY_ADMINISTRATOR, username="colleague", first_name="Dana", last_name="Reyes"
    )
    return ours, theirs


def test_signing_in_does_not_move_the_version_on(manager):
    """Django saves `last_login` alone at sign-in: not an edit of the account."""
    before = User.objects.get(pk=manager.pk).version
    user_logged_in.send(sender=User, request=RequestFactory().get("/"), user=manager)
    assert User.objects.get(pk=manager.pk).version == before


def test_api_stale_patch_of_a_person_is_412(admins, manager):
    url = f"/api/v1/users/{manager.pk}"
    ours, theirs = (session_client(a) for a in admins)
    read = ours.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag == f'"{User.objects.get(pk=manager.pk).version}"'
    first = theirs.patch(
        url,
        {"job_title": "Their title"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] != etag
    second = ours.patch(
        url, {"job_title": "Our title"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert second.status_code == 412, second.content
    body = second.json()
    assert body["code"] == "stale_edit"
    assert "Dana Reyes" in body["detail"] and "Their title" in body["detail"]
    assert second["ETag"] == first["ETag"]
    assert User.objects.get(pk=manager.pk).job_title == "Their title"
    third = ours.patch(
        url,
        {"job_title": "Our title"},
        content_type="application/json",
        headers={"If-Match": first["ETag"]},
    )
    assert third.status_code == 200
    assert User.objects.get(pk=manager.pk).job_title == "Our title"


def _form_data(client, url):
    form = client.get(url).context["form"]
    return {n: "" if form[n].value() is None else form[n].value() for n in form.fields}


def test_page_stale_save_of_a_person_shows_the_other_change(admins, manager):
    url = f"/people/{manager.pk}/edit/"
    ours, theirs = (session_client(a) for a in admins)
    our_form, their_form = _form_data(ours, url), _form_data(theirs, url)
    version = User.objects.get(pk=manager.pk).version
    assert our_form["version"] == version
    their_form["job_title"] = "Their title"
    assert theirs.post(url, their_form).status_code == 302
    our_form["job_title"] = "Our careful title"
    response = ours.post(url, our_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Their title" in page and "Our careful title" in page
    assert User.objects.get(pk=manager.pk).job_title == "Their title"
    assert response.context["form"]["version"].value() == str(version + 1)
    our_form["version"] = version + 1
    assert ours.post(url, our_form).status_code == 302
    assert User.objects.get(pk=manager.pk).job_title == "Our careful title"
