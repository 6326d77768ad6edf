"""System checks of Steward's own (docs/security.md §15).

`manage.py check --deploy` refuses (an error, not Django's warning) a production secret key that
is empty, short, made of few characters, Django's "insecure" development key, or one of the
well-known placeholder values published in docs and examples."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

#: Placeholders found in Steward's own docs and examples and in common tutorials.
WELL_KNOWN_KEYS = frozenset(
    {
        "change-me",
        "changeme",
        "secret",
        "secret-key",
        "secret_key",
        "your-secret-key",
        "your-secret-key-here",
        "django-insecure",
        "dev",
        "development",
        "test",
        "password",
        "x" * 50,
    }
)
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5


def weak_secret_key(key: str) -> str | None:
    """Why `key` is not fit for production, or None."""
    if not key or not key.strip():
        return "the secret key is empty"
    if key.strip().lower() in WELL_KNOWN_KEYS:
        return "the secret key is a well-known placeholder"
    if key.startswith("django-insecure-"):
        return "the secret key is Django's generated development key"
    if len(key) < MIN_LENGTH:
        return f"the secret key is shorter than {MIN_LENGTH} characters"
    if len(set(key)) < MIN_UNIQUE_CHARACTERS:
        return f"the secret key has fewer than {MIN_UNIQUE_CHARACTERS} different characters"
    return None


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problem = weak_secret_key(getattr(settings, "SECRET_KEY", "") or "")
    if problem is None:
        return []
    return [
        Error(
            f"STEWARD_SECRET_KEY is not fit for production: {problem}.",
            hint="Set STEWARD_SECRET_KEY to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
            id="steward.E001",
        )
    ]
