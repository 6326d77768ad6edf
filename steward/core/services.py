"""Writes to core records: policy packs, and the shared helpers every service uses."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import get_valid_filename

from steward.core.concurrency import check_expected
from steward.core.errors import (
    PermissionDeniedError,
    ValidationFailed,
    validation_error_from_django,
)
from steward.core.models import PolicyPack
from steward.core.packs import PackError, PackRules, load_shipped_packs
from steward.core.uploads import UploadRejected, check_upload


def require_perm(actor: Any, perm: str, obj: Any = None, *, action: str) -> None:
    """Raise PermissionDeniedError unless `actor` holds `perm` on `obj`."""
    if not actor.has_perm(perm, obj):
        raise PermissionDeniedError(f"You do not have permission to {action}.")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: what to store it as."""

    name: str
    content_type: str
    size: int
    sha256: str


#: Longest stored file name, in UTF-8 bytes: stored as "<digest>-<name>" under a folder, the
#: name must stay well inside the 255 bytes a file system allows for one name.
MAX_FILENAME_BYTES = 120


def short_filename(name: str, *, extension: str, limit: int = MAX_FILENAME_BYTES) -> str:
    """Return `name` cut to at most `limit` UTF-8 bytes, keeping its extension (a 240-byte name
    was a server error: "File name too long")."""
    if len(name.encode()) <= limit:
        return name
    suffix = f".{extension}"
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    budget = limit - len(suffix.encode())
    stem = stem.encode()[:budget].decode("utf-8", errors="ignore").rstrip(" ._-") or "file"
    return stem + suffix


def check_uploaded_file(upload: Any, *, fallback_name: str = "document") -> CheckedFile:
    """Check `upload` (type by extension and content signature, and size) before it is stored;
    ValidationFailed on the `file` field says why a file is refused."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    try:
        checked = check_upload(
            filename=upload.name or "",
            head=head,
            size=upload.size or 0,
            max_bytes=settings.STEWARD_MAX_UPLOAD_BYTES,
            stream=upload,
        )
    except UploadRejected as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from exc
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        name=short_filename(
            get_valid_filename(upload.name or f"{fallback_name}.{checked.extension}"),
            extension=checked.extension,
        ),
        content_type=checked.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )


def save_audited(obj: models.Model, *, actor: Any, reason: str = "") -> None:
    """Validate `obj` (full_clean), then save it with `actor` and `reason` on its history row.

    Raises ValidationFailed with field errors when the model does not validate."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise validation_error_from_django(exc) from exc
    obj._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()


@transaction.atomic
def policy_packs_load_shipped() -> list[PolicyPack]:
    """Create or refresh the shipped packs from the JSON files in steward/core/policy_packs.

    Returns the packs. A shipped pack whose file changed gets the new rules and a new version;
    an unchanged one is left alone (no history row)."""
    packs = []
    for rules_value in load_shipped_packs():
        data = rules_value.to_dict()
        pack = PolicyPack.objects.filter(slug=rules_value.slug).first()
        if pack is None:
            pack = PolicyPack(slug=rules_value.slug, shipped=True, version=1)
        elif pack.rules == data and pack.shipped:
            packs.append(pack)
            continue
        else:
            pack.version += 1
        pack.name = rules_value.name
        pack.description = rules_value.description
        pack.seed = rules_value.seed or ""
        pack.shipped = True
        pack.rules = data
        save_audited(pack, actor=None, reason="Loaded from the shipped pack file")
        packs.append(pack)
    return packs


@transaction.atomic
def policy_pack_copy(*, actor: Any, source: PolicyPack, slug: str, name: str) -> PolicyPack:
    """Copy `source` into a new, editable pack named `name` with `slug`. Returns the copy."""
    require_perm(actor, "packs.copy_pack", source, action="copy policy packs")
    if PolicyPack.objects.filter(slug=slug).exists():
        raise ValidationFailed(
            f"A policy pack with slug {slug!r} already exists.",
            errors={"slug": ["A policy pack with this slug already exists."]},
        )
    data = copy.deepcopy(source.rules)
    data["slug"] = slug
    data["name"] = name
    pack = PolicyPack(
        slug=slug,
        name=name,
        description=source.description,
        seed=source.seed,
        shipped=False,
        copied_from=source,
        version=1,
        rules=data,
    )
    save_audited(pack, actor=actor, reason=f"Copied from {source.slug} v{source.version}")
    return pack


@transaction.atomic
def policy_pack_update(
    *, actor: Any, pack: PolicyPack, rules: dict[str, Any], reason: str
) -> PolicyPack:
    """Replace the rules of an editable pack after validating them; bumps the version.

    Raises PermissionDeniedError for shipped packs or actors other than oversight officers and
    administrators, ValidationFailed (naming the field) for bad rules or a missing reason."""
    pack = PolicyPack.objects.select_for_update().get(pk=pack.pk)
    require_perm(actor, "packs.change_pack", pack, action="edit this policy pack")
    check_expected(pack)  # a stale edit (page or If-Match) is refused under the row lock
    if not reason.strip():
        raise ValidationFailed(
            "Say why the pack is changing.", errors={"reason": ["A reason is required."]}
        )
    data = dict(rules)
    data["slug"] = pack.slug
    try:
        parsed = PackRules.from_dict(data)
    except PackError as exc:
        raise ValidationFailed(str(exc), errors={"rules": [str(exc)]}) from exc
    pack.rules = parsed.to_dict()
    pack.name = parsed.name
    pack.description = parsed.description
    pack.version += 1
    save_audited(pack, actor=actor, reason=reason.strip())
    return pack
