"""People pages: the agency administrator's (and site administrator's) list of accounts,
invitations, role changes and deactivation. Accounts are never deleted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from steward.core.audit import history_entries
from steward.core.concurrency import add_version_field, expecting, form_version
from steward.core.errors import ValidationFailed
from steward.core.forms import apply_errors
from steward.core.views import application_errors
from steward.parties.forms import (
    DeactivateForm,
    PersonEditForm,
    PersonInviteForm,
    person_initial,
)
from steward.parties.models import User
from steward.parties.rules import visible_people_q
from steward.parties.services import (
    person_deactivate,
    person_invitation_resend,
    person_invite,
    person_reactivate,
    person_two_factor_reset,
    person_update,
)

PAGE_SIZE = 50


def _require_people(request: HttpRequest) -> None:
    if not request.user.has_perm("people.view_people"):
        raise PermissionDenied


def _person(request: HttpRequest, pk: int) -> User:
    person = (
        User.objects.filter(visible_people_q(request.user))
        .select_related("agency", "provider")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    return person


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _require_people(request)
    people = (
        User.objects.filter(visible_people_q(request.user))
        .select_related("agency", "provider")
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    term = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    if term:
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(username__icontains=term)
        )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {"page": page, "term": term, "section": "people"},
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def person_new(request: HttpRequest) -> HttpResponse:
    _require_people(request)
    form = PersonInviteForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_invite(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invited {person.get_full_name()}: an email with a link to choose a password "
                f"went to {person.email}.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/invite.html", {"form": form, "section": "people"})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "can_manage": request.user.has_perm("people.manage_person", person),
            "history": history_entries(person),
            "section": "people",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    if not request.user.has_perm("people.manage_person", person):
        raise PermissionDenied
    form = PersonEditForm(request.POST or None, actor=request.user, initial=person_initial(person))
    add_version_field(form, person)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k != "version" and getattr(person, k) != v
        }
        try:
            with expecting(person, form_version(form)):
                person_update(actor=request.user, person=person, data=data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request, "people/edit.html", {"form": form, "person": person, "section": "people"}
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def person_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    if not request.user.has_perm("people.manage_person", person):
        raise PermissionDenied
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_deactivate(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{person.get_full_name()} can no longer sign in.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request, "people/deactivate.html", {"form": form, "person": person, "section": "people"}
    )


@login_required
@require_http_methods(["POST"])
@application_errors
def person_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    person_reactivate(actor=request.user, person=person)
    messages.success(request, f"{person.get_full_name()} can sign in again.")
    return redirect("people:detail", pk=person.pk)


@login_required
@require_http_methods(["POST"])
@application_errors
def person_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    person_invitation_resend(actor=request.user, person=person)
    messages.success(request, f"A new invitation went to {person.email}.")
    return redirect("people:detail", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def person_two_factor_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person(request, pk)
    if not request.user.has_perm("people.manage_person", person):
        raise PermissionDenied
    if request.method == "POST":
        person_two_factor_reset(actor=request.user, person=person)
        messages.success(
            request,
            f"{person.get_full_name() or person.username} registers a new authenticator app "
            "at the next sign-in.",
        )
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/two_factor_reset.html", {"person": person, "section": "people"})
