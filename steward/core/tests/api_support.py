"""Helpers for the API tests (imported by steward/*/tests/test_api_*.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from steward.parties.tokens import token_create

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def session_client(user: Any, *, enforce_csrf: bool = False) -> Client:
    """A browser-like client logged in as `user`."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def token_client(user: Any, *, name: str = "tests") -> Client:
    """A client sending a fresh bearer token of `user` with every request (no session)."""
    raw = token_create(user=user, name=name).raw
    return Client(headers={"Authorization": f"Bearer {raw}"})


def pdf_upload(name: str = "contract.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    """Send `body` as JSON (or multipart when it holds a file) to `API + path`."""
    url = API + path
    method = method.lower()
    if method == "get":
        return client.get(url, body or {})
    if isinstance(body, dict) and any(isinstance(v, SimpleUploadedFile) for v in body.values()):
        return client.post(url, body)  # multipart
    return getattr(client, method)(url, body or {}, content_type="application/json")
