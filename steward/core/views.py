"""Pages of the core area: policy packs; and the error handling every page uses
(`application_errors`, `safe_next`)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from steward.core.audit import history_entries
from steward.core.concurrency import add_version_field, expecting, form_version
from steward.core.errors import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from steward.core.forms import PackCopyForm, PackEditForm, apply_errors
from steward.core.models import PolicyPack
from steward.core.services import policy_pack_copy, policy_pack_update


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering single sign-on when it is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))
        context["sso_name"] = getattr(settings, "STEWARD_OIDC_PROVIDER_NAME", "")
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Return the `next` URL posted or asked for if it is on this site, else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def application_errors(view: View) -> View:
    """Turn a domain error raised by `view` into a page, never a 500.

    NotFoundError → the 404 page; PermissionDeniedError → the 403 page; any other
    ApplicationError → on a POST, the message is flashed and the person is sent back to the
    `next` URL (or the page they came from); on a GET, an error page with the message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ApplicationError as exc:
            if request.method == "POST":
                messages.error(request, exc.message)
                return redirect(safe_next(request, request.get_full_path()))
            return render(
                request,
                "error.html",
                {"message": exc.message, "status_code": exc.status_code},
                status=exc.status_code,
            )

    return cast(View, wrapper)


def _pack_or_404(slug: str) -> PolicyPack:
    pack = PolicyPack.objects.select_related("copied_from").filter(slug=slug).first()
    if pack is None:
        raise Http404("No such policy pack.")
    return pack


@login_required
def pack_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("packs.view_pack"):
        raise PermissionDenied
    packs = PolicyPack.objects.select_related("copied_from").order_by("name")
    return render(request, "core/pack_list.html", {"packs": packs})


@login_required
def pack_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pack = _pack_or_404(slug)
    if not request.user.has_perm("packs.view_pack", pack):
        raise PermissionDenied
    user = request.user
    return render(
        request,
        "core/pack_detail.html",
        {
            "pack": pack,
            "rules": pack.parsed,
            "history": history_entries(pack) if user.has_perm("audit.view_history") else None,
            "can_copy": user.has_perm("packs.copy_pack", pack),
            "can_edit": user.has_perm("packs.change_pack", pack),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def pack_copy(request: HttpRequest, slug: str) -> HttpResponse:
    pack = _pack_or_404(slug)
    if not request.user.has_perm("packs.copy_pack", pack):
        raise PermissionDenied
    form = PackCopyForm(request.POST or None, initial={"name": f"{pack.name} (copy)"})
    if request.method == "POST" and form.is_valid():
        try:
            copy = policy_pack_copy(
                actor=request.user,
                source=pack,
                slug=form.cleaned_data["slug"],
                name=form.cleaned_data["name"],
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Copied {pack.name} into {copy.name}.")
            return redirect("core:pack_detail", slug=copy.slug)
    return render(request, "core/pack_copy.html", {"pack": pack, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def pack_edit(request: HttpRequest, slug: str) -> HttpResponse:
    pack = _pack_or_404(slug)
    if not request.user.has_perm("packs.change_pack", pack):
        raise PermissionDenied
    form = PackEditForm(request.POST or None, pack=pack)
    add_version_field(form, pack)
    if request.method == "POST" and form.is_valid():
        try:
            with expecting(pack, form_version(form)):
                policy_pack_update(
                    actor=request.user,
                    pack=pack,
                    rules=form.rules(),
                    reason=form.cleaned_data["reason"],
                )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Saved {pack.name}.")
            return redirect("core:pack_detail", slug=pack.slug)
    return render(request, "core/pack_edit.html", {"pack": pack, "form": form})


# ---------------------------------------------------------------- background jobs


@login_required
@application_errors
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job: its progress while it runs (htmx polls the status panel; without
    JavaScript a reload link), then its summary, report and, if it failed, a
    retry. Its owner and administrators."""
    from steward.core.jobs import job_get

    job = job_get(actor=request.user, pk=pk)
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job.html"
    return render(request, template, {"job": job})


@login_required
@application_errors
def job_list(request: HttpRequest) -> HttpResponse:
    """The person's latest background jobs (an administrator: everyone's)."""
    from steward.core.jobs import job_list as latest

    return render(request, "core/job_list.html", {"jobs": latest(actor=request.user)})


@login_required
@application_errors
def job_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The job's file (an import's every problem and notice, an export), as an attachment."""
    return job_report_response(request.user, pk)


def job_report_response(actor: Any, pk: int) -> HttpResponseBase:
    """Job `pk`'s file as an attachment for `actor` (its owner or an administrator, and
    whoever its kind still lets have it: `jobs.download_check`); the page and the API.
    NotFoundError when there is no such job or file for them."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse

    from steward.core.exports import CONTENT_TYPES
    from steward.core.jobs import download_check, job_get

    job = job_get(actor=actor, pk=pk)
    if not job.report or not default_storage.exists(job.report):
        raise NotFoundError("This job has no report.")
    download_check(actor=actor, job=job)

    name = job.report_name or "report.csv"
    extension = name.rsplit(".", 1)[-1]
    content_type = CONTENT_TYPES.get(extension) or (
        mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    return FileResponse(
        default_storage.open(job.report, "rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )


@login_required
@require_http_methods(["POST"])
@application_errors
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a failed job again (a new job, from the same stored upload)."""
    from steward.core import jobs

    job = jobs.job_get(actor=request.user, pk=pk)
    new = jobs.job_retry(actor=request.user, job=job)
    messages.success(request, "The job was started again.")
    return redirect("core:job", pk=new.pk)


# ---------------------------------------------------------------- outgoing mail


@login_required
@application_errors
def mail_list(request: HttpRequest) -> HttpResponse:
    """Administrators: the emails that could not be sent, with their error, attempts and a
    way to send each again."""
    from steward.core.mail import undelivered

    return render(request, "core/mail_list.html", {"emails": undelivered(actor=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
@application_errors
def mail_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Send one email again: a confirmation page (GET), then the sending (POST)."""
    from steward.core import mail

    email = mail.email_get(actor=request.user, pk=pk)
    if request.method == "POST":
        email = mail.email_send_again(actor=request.user, email=email)
        if email.status == "sent":
            messages.success(request, f"Sent: {email.subject}")
        elif email.status == "failed":
            messages.error(request, f"It could not be sent again: {email.last_error}")
        else:
            messages.success(request, f"Queued to be sent again: {email.subject}")
        return redirect("core:mail_list")
    return render(request, "core/mail_send_again.html", {"email": email})
