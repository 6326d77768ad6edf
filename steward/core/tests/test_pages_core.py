"""Core pages: sign in and out, policy packs, error pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from steward.core.models import PolicyPack
from steward.core.services import policy_pack_copy
from steward.parties.models import Role
from steward.testing.factories import PASSWORD
from steward.tests.pages import signed_in


def test_sign_in_with_correct_password_goes_home(client, manager):
    response = client.post(
        reverse("core:login"), {"username": manager.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


def test_sign_in_with_wrong_password_shows_error(client, manager):
    response = client.post(reverse("core:login"), {"username": manager.username, "password": "x"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_account_locks_after_repeated_failures(client, manager):
    for _ in range(5):
        client.post(reverse("core:login"), {"username": manager.username, "password": "wrong"})
    response = client.post(
        reverse("core:login"), {"username": manager.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "locked for 30 minutes" in response.content.decode()


def test_sign_out_is_a_post(client, manager):
    signed_in(client, manager)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert client.get(reverse("workspace:home")).status_code == 302


def test_pack_detail_shows_every_figure(client, manager, packs):
    body = (
        signed_in(client, manager)
        .get(reverse("core:pack_detail", args=["connecticut-opm"]))
        .content.decode()
    )
    assert "Agency writes the closeout evaluation" in body
    assert "seed 000" in body
    assert "US, CT" in body
    assert "Service delivery and outcomes" in body
    assert "0.85 to 1.00" in body


def test_pack_list_query_count_is_small(client, manager, packs, django_assert_max_num_queries):
    signed_in(client, manager)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("core:pack_list")).status_code == 200


def test_oversight_copies_a_pack(client, make_user, packs):
    officer = signed_in(client, make_user(Role.OVERSIGHT_OFFICER))
    response = officer.post(
        reverse("core:pack_copy", args=["connecticut-opm"]),
        {"name": "DCF 2027", "slug": "dcf-2027"},
    )
    assert response.status_code == 302
    copy = PolicyPack.objects.get(slug="dcf-2027")
    assert not copy.shipped
    assert copy.copied_from.slug == "connecticut-opm"


def test_copy_to_a_taken_slug_shows_field_error(client, make_user, packs):
    officer = signed_in(client, make_user(Role.OVERSIGHT_OFFICER))
    response = officer.post(
        reverse("core:pack_copy", args=["connecticut-opm"]),
        {"name": "Again", "slug": "milwaukee-mps"},
    )
    assert response.status_code == 200
    assert 'id="id_slug-error"' in response.content.decode()


@pytest.fixture
def editable_pack(packs, make_user):
    return policy_pack_copy(
        actor=make_user(Role.ADMINISTRATOR),
        source=packs["connecticut-opm"],
        slug="dcf-2027",
        name="DCF 2027",
    )


def _edit_post(form, **changes):
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_pack_edit_changes_figures_with_a_reason(client, make_user, editable_pack):
    officer = signed_in(client, make_user(Role.OVERSIGHT_OFFICER))
    url = reverse("core:pack_edit", args=[editable_pack.slug])
    form = officer.get(url).context["form"]
    response = officer.post(
        url,
        _edit_post(
            form,
            deadline__closeout_evaluation__days="45",
            deadline__closeout_evaluation__kind="working",
            renewal_score_threshold="90",
            tender_threshold="20000",
            expiring_window_days="90",
            closure_days="2026-12-24\n2026-12-31",
            reason="Agency policy 2027",
        ),
    )
    assert response.status_code == 302
    editable_pack.refresh_from_db()
    rules = editable_pack.parsed
    assert editable_pack.version == 2
    assert rules.deadline_rule("closeout_evaluation").days == 45
    assert rules.deadline_rule("closeout_evaluation").kind.value == "working"
    assert rules.renewal.score_threshold == 90
    assert str(rules.tender.threshold) == "20000.00"
    assert rules.expiring_window_days == 90
    assert len(rules.working_calendar.closure_days) == 2
    assert editable_pack.history.first().history_change_reason == "Agency policy 2027"


def test_pack_edit_with_bad_bounds_shows_field_error_and_writes_nothing(
    client, make_user, editable_pack
):
    officer = signed_in(client, make_user(Role.OVERSIGHT_OFFICER))
    url = reverse("core:pack_edit", args=[editable_pack.slug])
    form = officer.get(url).context["form"]
    response = officer.post(
        url,
        _edit_post(
            form,
            utilization_reasonable_min="0.95",
            utilization_maximum="0.90",
            reason="Try",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_utilization_maximum-error"' in body
    editable_pack.refresh_from_db()
    assert editable_pack.version == 1


def test_pack_edit_without_reason_or_with_bad_closure_day(client, make_user, editable_pack):
    officer = signed_in(client, make_user(Role.OVERSIGHT_OFFICER))
    url = reverse("core:pack_edit", args=[editable_pack.slug])
    form = officer.get(url).context["form"]
    body = officer.post(
        url, _edit_post(form, reason="", closure_days="24/12/2026")
    ).content.decode()
    assert 'id="id_reason-error"' in body
    assert 'id="id_closure_days-error"' in body
    assert "is not a date written YYYY-MM-DD" in body
    editable_pack.refresh_from_db()
    assert editable_pack.version == 1


def test_unknown_page_is_the_404_template(client, manager):
    response = signed_in(client, manager).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_template_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html


class TestApplicationErrors:
    """Domain errors raised in a view become pages and messages, never a 500."""

    @staticmethod
    def _view(exc):
        from steward.core.views import application_errors

        @application_errors
        def view(request):
            raise exc

        return view

    @staticmethod
    def _request(rf, method, user, **data):
        from django.contrib.messages.storage.fallback import FallbackStorage

        request = getattr(rf, method)("/contracts/1/status/activate/", data)
        request.user = user
        request.session = {}
        request._messages = FallbackStorage(request)
        return request

    def test_refusal_on_post_is_a_message_and_a_redirect_back(self, rf, manager):
        from steward.core.errors import TransitionNotAllowed

        request = self._request(rf, "post", manager, next="/contracts/1/")
        response = self._view(TransitionNotAllowed("Not yet executed."))(request)
        assert response.status_code == 302
        assert response["Location"] == "/contracts/1/"
        assert [str(m) for m in request._messages] == ["Not yet executed."]

    def test_next_pointing_off_site_is_ignored(self, rf, manager):
        from steward.core.errors import ValidationFailed

        request = self._request(rf, "post", manager, next="https://evil.example/")
        response = self._view(ValidationFailed("Bad."))(request)
        assert response["Location"] == "/contracts/1/status/activate/"

    def test_refusal_on_get_is_an_error_page_with_its_status(self, rf, manager):
        from steward.core.errors import TransitionNotAllowed

        request = self._request(rf, "get", manager)
        response = self._view(TransitionNotAllowed("Not yet executed."))(request)
        assert response.status_code == 409
        assert "Not yet executed." in response.content.decode()

    def test_not_found_and_permission_errors_become_404_and_403(self, rf, manager):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        from steward.core.errors import NotFoundError, PermissionDeniedError

        request = self._request(rf, "get", manager)
        with pytest.raises(Http404):
            self._view(NotFoundError("No such contract."))(request)
        with pytest.raises(PermissionDenied):
            self._view(PermissionDeniedError("No."))(request)
