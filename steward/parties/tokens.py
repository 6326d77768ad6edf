"""API bearer tokens: create, verify, revoke. Only a SHA-256 digest of a token is stored.

A token is shown once, when created; it is `stw_` followed by 40 URL-safe random characters.
The first 8 characters are kept as `prefix` so a person can tell their tokens apart (and revoke
one) without the secret ever being stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from steward.core.errors import NotFoundError, ValidationFailed
from steward.parties.models import ApiToken, User

TOKEN_PREFIX = "stw_"
#: How stale `last_used_at` may be before a request refreshes it (one write a minute at most).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """Return the hex SHA-256 digest of the raw token `raw`."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once to the person, never stored


@transaction.atomic
def token_create(*, user: User, name: str) -> IssuedToken:
    """Create a token for `user` called `name`. Returns the stored token and the raw secret
    (the only time it is available). Raises ValidationFailed without a name or for an inactive
    user."""
    name = name.strip()
    if not name:
        raise ValidationFailed("Name the token.", errors={"name": ["A name is required."]})
    if not user.is_active:
        raise ValidationFailed(
            f"User {user.username} is inactive.", errors={"user": ["The user is inactive."]}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name[:100], digest=token_digest(raw), prefix=raw[:8]
    )
    return IssuedToken(token=token, raw=raw)


def token_authenticate(raw: str, *, now: datetime | None = None) -> Any | None:
    """Return the active user owning the unrevoked token `raw`, or None.

    Side effect: refreshes the token's `last_used_at` when it is older than a minute (so a busy
    client costs at most one write a minute)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__agency", "user__provider")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, prefix: str, now: datetime | None = None) -> ApiToken:
    """Revoke the one live token whose prefix is `prefix`. Returns it.

    Raises NotFoundError when no live token has that prefix, ValidationFailed when several do
    (then the prefix does not say which one)."""
    live = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
    if not live:
        raise NotFoundError(f"No live token starts with {prefix!r}.")
    if len(live) > 1:
        raise ValidationFailed(
            f"{len(live)} live tokens start with {prefix!r}; revoke them in the admin.",
            errors={"prefix": ["Ambiguous prefix."]},
        )
    token = live[0]
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token
