"""Helpers of the monitoring page tests: a signed-in client, a frozen clock, a response's text
and the messages it flashed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.contrib.messages import get_messages
from django.test import Client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: date):
    """Freeze the clock at noon of `day` (pages use timezone.localdate())."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def preview_then_send(client: Client, url: str, data: dict):
    """Send the results letter as a person does: preview it, then press "Send the letter" on
    the preview (which carries the fingerprint of the letter previewed). Returns the send's
    response."""
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200, preview.status_code
    previewed = preview.context["previewed"]
    assert previewed, preview.context["form"].errors
    return client.post(url, {**data, "previewed": previewed})
