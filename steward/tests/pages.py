"""Helpers for page tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in(client: Client, user: Any) -> Client:
    """Return `client` signed in as `user` (without going through the login throttle)."""
    client.force_login(user, backend=MODEL_BACKEND)
    return client
