"""The only code that writes agencies and providers."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from steward.core.errors import PermissionDeniedError, TransitionNotAllowed, ValidationFailed
from steward.core.formatting import person_name
from steward.core.models import PolicyPack
from steward.core.services import require_perm, save_audited
from steward.parties.models import AGENCY_ROLES, Agency, Provider, Role, User

AGENCY_FIELDS = frozenset(
    {
        "name",
        "slug",
        "kind",
        "pack",
        "jurisdiction",
        "address",
        "contact_email",
        "closure_days",
        "ocid_prefix",
        "signatory_name",
        "signatory_title",
    }
)
# The provider fields a person edits, in the order the provider form shows them.
PROVIDER_FIELDS: tuple[str, ...] = (
    "legal_name",
    "trading_name",
    "slug",
    "tax_id",
    "company_number",
    "charity_number",
    "for_profit",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
    "email",
    "phone",
    "website",
)


def _check_fields(data: dict[str, Any], allowed: Collection[str], what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationFailed(
            f"Unknown {what} field(s): {', '.join(sorted(unknown))}.",
            errors={name: ["Unknown field."] for name in sorted(unknown)},
        )


def _pack_by_slug(slug: str) -> PolicyPack:
    pack = PolicyPack.objects.filter(slug=slug).first()
    if pack is None:
        raise ValidationFailed(
            f"There is no policy pack {slug!r}.", errors={"pack": ["No policy pack by that slug."]}
        )
    return pack


def _agency_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "pack" in values and not isinstance(values["pack"], PolicyPack):
        values["pack"] = _pack_by_slug(str(values["pack"]))
    if "closure_days" in values:
        values["closure_days"] = sorted({str(day) for day in values["closure_days"] or []})
    return values


@transaction.atomic
def agency_create(*, actor: Any, data: dict[str, Any]) -> Agency:
    """Create an agency from `data` (`pack` is a pack slug or a PolicyPack). Returns it.

    Raises PermissionDeniedError unless the actor is an administrator; ValidationFailed naming
    the field for an unknown pack, a slug or name already used, or other bad values."""
    require_perm(actor, "agencies.add_agency", action="create agencies")
    _check_fields(data, AGENCY_FIELDS, "agency")
    if "pack" not in data:
        raise ValidationFailed(
            "Choose the agency's policy pack.", errors={"pack": ["A policy pack is required."]}
        )
    agency = Agency(**_agency_values(data))
    save_audited(agency, actor=actor, reason="Created")
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, data: dict[str, Any]) -> Agency:
    """Change the fields in `data` on `agency`. Returns the agency.

    Changing the pack needs `agencies.assign_pack` (administrators and oversight officers); any
    other field needs `agencies.change_agency` (administrators)."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _check_fields(data, AGENCY_FIELDS, "agency")
    values = _agency_values(data)
    changed = {k for k, v in values.items() if getattr(agency, k) != v}
    if "pack" in changed:
        require_perm(actor, "agencies.assign_pack", agency, action="assign policy packs")
    if changed - {"pack"}:
        require_perm(actor, "agencies.change_agency", agency, action="change this agency")
    if not changed:
        return agency
    for name, value in values.items():
        setattr(agency, name, value)
    reason = f"Policy pack set to {agency.pack.slug}" if changed == {"pack"} else "Edited"
    save_audited(agency, actor=actor, reason=reason)
    return agency


@transaction.atomic
def agency_logo_set(*, actor: Any, agency: Agency, upload: Any | None) -> Agency:
    """Put `upload` (a file: PNG or JPEG, at most LOGO_MAX_BYTES, its content checked with
    steward.core.uploads) as the logo on `agency`'s letters, or take the logo off (`upload`
    None). Administrators (agencies.change_agency). Audited. ValidationFailed on the `logo`
    field for a file of another type, too large or not what its name says."""
    from steward.core.letters import LOGO_MAX_BYTES, LOGO_TYPES
    from steward.core.uploads import UploadRejected, check_upload

    require_perm(actor, "agencies.change_agency", agency, action="change this agency")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if upload is None:
        if not agency.logo:
            return agency
        agency.logo = ""
        save_audited(agency, actor=actor, reason="Logo removed")
        return agency
    name = str(getattr(upload, "name", "") or "logo")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if extension not in LOGO_TYPES:
            raise UploadRejected("The logo is a PNG or JPEG image.")
        upload.seek(0)
        head = upload.read(1024)
        upload.seek(0)
        check_upload(filename=name, head=head, size=upload.size, max_bytes=LOGO_MAX_BYTES)
    except UploadRejected as exc:
        raise ValidationFailed(str(exc), errors={"logo": [str(exc)]}) from exc
    agency.logo.save(f"{agency.slug}.{extension}", upload, save=False)
    save_audited(agency, actor=actor, reason="Logo changed")
    return agency


IDENTIFIERS = {
    "tax_id": "tax id",
    "company_number": "company number",
    "charity_number": "charity number",
}


def _check_identifiers_free(provider: Provider) -> None:
    """Raise ValidationFailed naming each identifier another provider already has (the database
    constraint would otherwise report only the constraint's name)."""
    errors: dict[str, list[str]] = {}
    for field, label in IDENTIFIERS.items():
        value = getattr(provider, field)
        if not value:
            continue
        holder = Provider.objects.filter(**{field: value}).exclude(pk=provider.pk).first()
        if holder is not None:
            errors[field] = [f"{holder.legal_name} already has {label} {value}."]
    if errors:
        raise ValidationFailed(
            "; ".join(m for msgs in errors.values() for m in msgs), errors=errors
        )


def provider_slug_for(legal_name: str, *, exclude_pk: int | None = None) -> str:
    """Return a slug made from `legal_name` that no other provider uses (adding -2, -3, ...)."""
    base = slugify(legal_name)[:100].strip("-") or "provider"
    others = Provider.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def provider_create(*, actor: Any, data: dict[str, Any]) -> Provider:
    """Create a provider from `data`. Returns it. Without a slug, one is made from the legal
    name (unique). Raises PermissionDeniedError unless the actor may add providers,
    ValidationFailed naming the field (e.g. a tax id another provider already has)."""
    require_perm(actor, "providers.add_provider", action="add providers")
    _check_fields(data, PROVIDER_FIELDS, "provider")
    values = dict(data)
    legal_name = str(values.get("legal_name") or "").strip()
    if not legal_name:
        raise ValidationFailed(
            "Give the provider's legal name.", errors={"legal_name": ["This field is required."]}
        )
    values["legal_name"] = legal_name
    if not values.get("slug"):
        values["slug"] = provider_slug_for(legal_name)
    provider = Provider(**values)
    provider.created_by_agency_id = getattr(actor, "agency_id", None)
    _check_identifiers_free(provider)
    save_audited(provider, actor=actor, reason="Created")
    return provider


@transaction.atomic
def provider_update(*, actor: Any, provider: Provider, data: dict[str, Any]) -> Provider:
    """Change the fields in `data` on `provider`. Returns the provider."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    require_perm(actor, "providers.change_provider", provider, action="change this provider")
    _check_fields(data, PROVIDER_FIELDS, "provider")
    if "legal_name" in data and not str(data["legal_name"] or "").strip():
        raise ValidationFailed(
            "The legal name cannot be blank.", errors={"legal_name": ["This field is required."]}
        )
    if "slug" in data and not data["slug"]:
        raise ValidationFailed("The slug cannot be blank.", errors={"slug": ["Required."]})
    for name, value in data.items():
        setattr(provider, name, value.strip() if name == "legal_name" else value)
    _check_identifiers_free(provider)
    save_audited(provider, actor=actor, reason="Edited")
    return provider


# ---------------------------------------------------------------- people (accounts)

PERSON_FIELDS = frozenset(
    {
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "agency",
        "provider",
        "job_title",
        "jurisdiction",
    }
)
PERSON_EDITABLE = frozenset(
    {"email", "first_name", "last_name", "role", "job_title", "jurisdiction"}
)
INVITE_DAYS = 3  # Django's PASSWORD_RESET_TIMEOUT, which the set-password link follows


def _role_value(value: Any) -> str:
    role = str(value or "")
    if role not in Role.values:
        raise ValidationFailed(
            "Choose one of the roles listed.",
            errors={"role": [f"Choose one of: {', '.join(Role(r).label for r in Role.values)}."]},
        )
    return role


def _check_grantable(actor: Any, role: str, agency: Agency | None) -> None:
    """An agency administrator gives only agency roles, in its own agency."""
    if actor.role == Role.ADMINISTRATOR:
        return
    if role not in AGENCY_ROLES:
        raise PermissionDeniedError(
            "Only a site administrator can make administrators or providers' users."
        )
    if role == Role.OVERSIGHT_OFFICER and (agency is None or agency.kind != "oversight_body"):
        raise ValidationFailed(
            "Oversight officers belong to an oversight body.",
            errors={"role": ["Oversight officers belong to an oversight body."]},
        )


def _username_for(email: str) -> str:
    base = (email.split("@")[0] or "user")[:120]
    base = "".join(ch for ch in base if ch.isalnum() or ch in "._-+") or "user"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def _clean_text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise ValidationFailed(
            f"The {name.replace('_', ' ')} is too long.",
            errors={name: [f"At most {limit} characters."]},
        )
    return text


def set_password_link(person: User) -> str:
    """The path of the page where `person` chooses a password (Django's password reset
    confirmation, with a one-time token valid for PASSWORD_RESET_TIMEOUT)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _send_invitation(person: User, *, actor: Any) -> None:
    from steward.core.mail import send_after_commit

    inviter = actor.get_full_name() or actor.username
    where = f" at {person.organisation_name}" if person.agency_id or person.provider_id else ""
    send_after_commit(
        subject="You have been invited to Steward",
        body=(
            f"{inviter} has given you a Steward account as {person.get_role_display()}"
            f"{where}."
            f"\n\nYour user name is {person.username}. Choose your password within "
            f"{INVITE_DAYS} days with the link below; after that, ask for a new link from the "
            'sign-in page ("Forgotten your password?").'
        ),
        to=[person.email],
        link=set_password_link(person),
    )


def jurisdiction_for(role: str, agency: Agency | None, given: str = "") -> str:
    """The jurisdiction a person oversees: only an oversight officer has one; the one given,
    else their own agency's (blank, when neither has one: every agency)."""
    if role != Role.OVERSIGHT_OFFICER:
        return ""
    return given or (agency.jurisdiction if agency is not None else "")


@transaction.atomic
def person_invite(*, actor: Any, data: dict[str, Any]) -> User:
    """Create a person's account and email them a link to choose their password.

    `data`: email (required), first_name, last_name, role (required), agency (slug; required
    for agency roles, the actor's own agency for an agency administrator), provider (slug, for
    a provider's user), job_title, jurisdiction (oversight officers), username (optional; made
    from the email). Raises PermissionDeniedError, ValidationFailed naming the field."""
    _check_fields(data, PERSON_FIELDS, "person")
    role = _role_value(data.get("role"))
    agency: Agency | None = None
    provider: Provider | None = None
    if data.get("agency"):
        agency = Agency.objects.filter(slug=str(data["agency"])).first()
        if agency is None:
            raise ValidationFailed(
                "There is no such agency.", errors={"agency": ["No such agency."]}
            )
    elif role in AGENCY_ROLES and getattr(actor, "agency_id", None):
        agency = actor.agency
    if data.get("provider"):
        provider = Provider.objects.filter(slug=str(data["provider"])).first()
        if provider is None:
            raise ValidationFailed(
                "There is no such provider.", errors={"provider": ["No such provider."]}
            )
    if actor.role == Role.AGENCY_ADMINISTRATOR:
        _check_grantable(actor, role, agency)
    require_perm(actor, "people.invite", agency, action="invite people to this agency")
    if role in AGENCY_ROLES and agency is None:
        raise ValidationFailed(
            "Choose the person's agency.", errors={"agency": ["Agency staff belong to an agency."]}
        )
    if role == Role.PROVIDER_USER and provider is None:
        raise ValidationFailed(
            "Choose the provider this person works for.",
            errors={"provider": ["A provider's user belongs to a provider."]},
        )
    email = _clean_text(data, "email", 254).lower()
    if not email:
        raise ValidationFailed(
            "Give the person's email address: the invitation is sent there.",
            errors={"email": ["This field is required."]},
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            f"Someone already has the email address {email}.",
            errors={"email": ["Someone already has this email address."]},
        )
    username = _clean_text(data, "username", 150) or _username_for(email)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            f"The user name {username} is taken.", errors={"username": ["This user name is taken."]}
        )
    person = User(
        username=username,
        email=email,
        first_name=_clean_text(data, "first_name", 150),
        last_name=_clean_text(data, "last_name", 150),
        role=role,
        agency=agency if role != Role.PROVIDER_USER else None,
        provider=provider if role == Role.PROVIDER_USER else None,
        job_title=_clean_text(data, "job_title", 120),
        jurisdiction=jurisdiction_for(role, agency, _clean_text(data, "jurisdiction", 120)),
    )
    person.set_unusable_password()
    if role in (Role.ADMINISTRATOR,):
        person.is_staff = True
    save_audited(person, actor=actor, reason=f"Invited by {person_name(actor)}")
    _send_invitation(person, actor=actor)
    return person


@transaction.atomic
def person_update(*, actor: Any, person: User, data: dict[str, Any]) -> User:
    """Change a person's name, email, role, job title or jurisdiction. Returns the person."""
    person = User.objects.select_for_update().get(pk=person.pk)
    require_perm(actor, "people.manage_person", person, action="change this person")
    _check_fields(data, PERSON_EDITABLE, "person")
    if "role" in data:
        role = _role_value(data["role"])
        if role != person.role:
            _check_grantable(actor, role, person.agency)
            organisation_kind = (
                "provider" if person.provider_id else "agency" if person.agency_id else "none"
            )
            fits = (
                (role == Role.PROVIDER_USER and organisation_kind == "provider")
                or (role in AGENCY_ROLES and organisation_kind == "agency")
                or (role == Role.ADMINISTRATOR and organisation_kind != "provider")
            )
            if not fits:
                raise ValidationFailed(
                    "That role does not fit the person's organisation.",
                    errors={"role": ["That role does not fit the person's organisation."]},
                )
            if person.pk == actor.pk:
                raise ValidationFailed(
                    "You cannot change your own role: ask another administrator.",
                    errors={"role": ["You cannot change your own role."]},
                )
            person.role = role
            person.is_staff = role == Role.ADMINISTRATOR
    for name, limit in (("first_name", 150), ("last_name", 150), ("job_title", 120)):
        if name in data:
            setattr(person, name, _clean_text(data, name, limit))
    if "jurisdiction" in data:
        person.jurisdiction = (
            _clean_text(data, "jurisdiction", 120) if person.role == Role.OVERSIGHT_OFFICER else ""
        )
    if "email" in data:
        email = _clean_text(data, "email", 254).lower()
        if not email:
            raise ValidationFailed(
                "The email address cannot be blank.", errors={"email": ["This field is required."]}
            )
        if User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
            raise ValidationFailed(
                f"Someone else already has the email address {email}.",
                errors={"email": ["Someone else already has this email address."]},
            )
        person.email = email
    save_audited(person, actor=actor, reason="Edited")
    return person


@transaction.atomic
def person_deactivate(*, actor: Any, person: User, reason: str) -> User:
    """Stop `person` signing in (their account, tokens and records stay). Never deletes."""
    person = User.objects.select_for_update().get(pk=person.pk)
    require_perm(actor, "people.manage_person", person, action="deactivate this person")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why the account is deactivated.", errors={"reason": ["This field is required."]}
        )
    if person.pk == actor.pk:
        raise ValidationFailed(
            "You cannot deactivate your own account.",
            errors={"reason": ["You cannot deactivate your own account."]},
        )
    if not person.is_active:
        raise TransitionNotAllowed(
            f"{person.get_full_name() or person.username} is already deactivated."
        )
    person.is_active = False
    save_audited(person, actor=actor, reason=f"Deactivated: {reason}"[:100])
    from django.utils import timezone

    person.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return person


@transaction.atomic
def person_reactivate(*, actor: Any, person: User) -> User:
    """Let a deactivated person sign in again."""
    person = User.objects.select_for_update().get(pk=person.pk)
    require_perm(actor, "people.manage_person", person, action="reactivate this person")
    if person.is_active:
        raise TransitionNotAllowed(
            f"{person.get_full_name() or person.username} is already active."
        )
    person.is_active = True
    save_audited(person, actor=actor, reason="Reactivated")
    return person


@transaction.atomic
def person_two_factor_reset(*, actor: Any, person: User) -> int:
    """Forget `person`'s authenticator app (a lost phone): they register a new one at their
    next sign-in. Returns how many devices were removed; the reason is kept in the history."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = User.objects.select_for_update().get(pk=person.pk)
    require_perm(actor, "people.manage_person", person, action="reset this person's two factors")
    removed, _ = TOTPDevice.objects.filter(user=person).delete()
    if removed:
        save_audited(person, actor=actor, reason="Two-factor set-up reset")
    return removed


@transaction.atomic
def person_invitation_resend(*, actor: Any, person: User) -> None:
    """Email a new set-password link to a person who has not chosen a password yet."""
    require_perm(actor, "people.manage_person", person, action="invite this person")
    if person.has_usable_password():
        raise TransitionNotAllowed(
            "This person has already chosen a password; they can use "
            '"Forgotten your password?" on the sign-in page.'
        )
    if not person.is_active:
        raise TransitionNotAllowed("Reactivate the account before inviting the person again.")
    _send_invitation(person, actor=actor)
