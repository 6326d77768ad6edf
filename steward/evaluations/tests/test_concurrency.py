"""Optimistic concurrency on draft evaluations (issue 19 point 6; docs/security.md §6).

An evaluation's `version` is its correction number (seed 000: a finalised evaluation is corrected
by a new version); the row version that guards against lost updates is `row_version`, carried by
the edit page's hidden field and the API's ETag / If-Match. Two people rating the same draft: the
second save is refused (412 on the API, the page shown again with the other person's change and
the person's own input kept) instead of silently undoing the first."""

from __future__ import annotations

import pytest

from steward.core.tests.api_support import session_client
from steward.evaluations import services
from steward.evaluations.models import Evaluation
from steward.evaluations.tests.factories import completed_contract, walk
from steward.parties.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(make_user):
    return make_user(
        Role.CONTRACT_MONITOR, username="colleague", first_name="Dana", last_name="Reyes"
    )


@pytest.fixture
def draft(manager, monitor, provider):
    contract = completed_contract(manager, provider=provider, number="DCF-25-100")
    return walk(contract, author=monitor, to="draft")


def test_the_row_version_is_not_the_correction_number(draft, manager):
    """Seed 000: saving a draft moves its row version on; its version (the correction number)
    stays 1 until a correction."""
    before = draft.row_version
    services.evaluation_update(actor=manager, evaluation=draft, summary="Rewritten.")
    draft.refresh_from_db()
    assert draft.version == 1
    assert draft.row_version == before + 1
    key = draft.criteria[0]["key"]
    services.evaluation_update(actor=manager, evaluation=draft, ratings={key: 2})
    draft.refresh_from_db()
    assert draft.row_version == before + 2  # a rating alone moves it on too


def test_api_stale_patch_of_a_draft_is_412_and_nothing_is_written(draft, manager, colleague):
    """Seed 000: two people rate the same draft; the second, from the older ETag, is refused."""
    url = f"/api/v1/evaluations/{draft.pk}"
    ours, theirs = session_client(manager), session_client(colleague)
    read = ours.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag == f'"{draft.row_version}"'
    first = theirs.patch(
        url,
        {"summary": "Their summary"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert first.status_code == 200, first.content
    assert first["ETag"] == f'"{draft.row_version + 1}"'
    key = draft.criteria[0]["key"]
    second = ours.patch(
        url,
        {"ratings": {key: 1}, "summary": "Our summary"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert second.status_code == 412, second.content
    body = second.json()
    assert body["code"] == "stale_edit"
    assert "Dana Reyes" in body["detail"]
    assert second["ETag"] == first["ETag"]
    fresh = Evaluation.objects.get(pk=draft.pk)
    assert fresh.summary == "Their summary"
    assert fresh.ratings.get(criterion_key=key).rating != 1  # the stale rating was not written
    # with the current ETag, the save goes through
    third = ours.patch(
        url,
        {"summary": "Our summary"},
        content_type="application/json",
        headers={"If-Match": first["ETag"]},
    )
    assert third.status_code == 200


def _form_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


def test_page_stale_save_of_a_draft_shows_the_other_change(draft, manager, colleague):
    """Seed 000: on the edit page, the second save shows who changed the draft and keeps the
    person's input; saving again after reading it succeeds."""
    url = f"/evaluations/{draft.pk}/edit/"
    ours, theirs = session_client(manager), session_client(colleague)
    our_form, their_form = _form_data(ours, url), _form_data(theirs, url)
    assert our_form["version"] == draft.row_version
    their_form["summary"] = "Their summary"
    assert theirs.post(url, their_form).status_code == 302
    our_form["summary"] = "Our careful summary"
    response = ours.post(url, our_form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by Dana Reyes" in page
    assert "Their summary" in page
    assert "Our careful summary" in page
    assert Evaluation.objects.get(pk=draft.pk).summary == "Their summary"
    assert response.context["form"]["version"].value() == str(draft.row_version + 1)
    our_form["version"] = draft.row_version + 1
    assert ours.post(url, our_form).status_code == 302
    assert Evaluation.objects.get(pk=draft.pk).summary == "Our careful summary"
