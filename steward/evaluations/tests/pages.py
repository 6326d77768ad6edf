"""Helpers of the evaluation page tests: a signed-in client, the pages' addresses, and a small
PDF to upload."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

TODAY = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)  # before the closeout due date (29 August)
PDF = b"%PDF-1.4 a small report\n%%EOF\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"evaluations:{name}", args=args)


def pdf(name: str = "x.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
