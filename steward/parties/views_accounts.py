"""The two-factor pages: register an authenticator app, and confirm a code after signing in."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from steward.core.views import safe_next


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        label="Six-digit code from your authenticator app",
        error_messages={"invalid": "Enter the six digits your app shows."},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )


def _check_code(form: CodeForm, device: TOTPDevice) -> bool:
    """Whether the form's code is right for `device`; a refusal names why on the field
    (after wrong codes, django-otp makes the person wait, doubling the delay each time)."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = (why or {}).get("locked_until")
        form.add_error(
            "code",
            "Too many wrong codes: wait a few seconds before trying again"
            + (f" (until {wait:%H:%M:%S} UTC)." if wait else "."),
        )
        return False
    return bool(device.verify_token(form.cleaned_data["code"].strip()))


def _confirmed_device(user: object) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code after the password; without an app registered, go to set-up."""
    device = _confirmed_device(request.user)
    next_url = safe_next(request, "/")
    if device is None:
        return redirect(f"/account/two-factor/setup/?next={next_url}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _check_code(form, device):
            otp_login(request, device)
            return redirect(next_url)
        if not form.errors:
            form.add_error("code", "That code is not right, or has expired. Try the current one.")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator app: show its key (as a QR code and as text), then confirm
    one code from it."""
    next_url = safe_next(request, "/")
    if _confirmed_device(request.user) is not None:
        return redirect(f"/account/two-factor/?next={next_url}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _check_code(form, device):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, "Your authenticator app is registered.")
            return redirect(next_url)
        if not form.errors:
            form.add_error(
                "code", "That code is not right. Check the app shows Steward, then try again."
            )
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)),
            # An SVG of squares drawn here from the device's key: no text of anyone's input.
            "qr_svg": mark_safe(svg),  # noqa: S308
        },
    )
