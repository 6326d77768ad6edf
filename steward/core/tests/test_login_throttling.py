"""Login throttling and the production secret key (issue 19 point 15; docs/security.md §15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from steward.core.checks import weak_secret_key
from steward.core.client_ip import client_ip
from steward.testing.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _fail(username: str, address: str, forwarded: str | None = None) -> int:
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client(**extra).post(
        reverse("core:login"), {"username": username, "password": "wrong"}
    )
    return response.status_code


def _sign_in(username: str, address: str, forwarded: str | None = None) -> int:
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client(**extra).post(
        reverse("core:login"), {"username": username, "password": PASSWORD}
    )
    return response.status_code


def test_failures_for_one_username_count_across_addresses(manager):
    """An attacker rotating addresses still locks the account after 5 failures."""
    for i in range(5):
        _fail(manager.username, f"198.51.100.{i + 1}")
    assert _sign_in(manager.username, "203.0.113.9") == 429


def test_failures_from_one_address_count_across_usernames(manager, make_user):
    """Password spraying from one address is stopped, whatever usernames it tries."""
    from steward.parties.models import Role

    other = make_user(Role.CONTRACT_MANAGER, username="someone-else")
    for i in range(5):
        _fail(f"guess{i}", "198.51.100.77")
    assert _sign_in(other.username, "198.51.100.77") == 429
    assert _sign_in(other.username, "198.51.100.78") == 302


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    settings.STEWARD_TRUSTED_PROXIES = ["10.0.0.5"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert client_ip(request) == "198.51.100.1"


def test_forwarded_for_is_read_from_the_right_behind_trusted_proxies(settings):
    settings.STEWARD_TRUSTED_PROXIES = ["10.0.0.0/24"]
    # the client forged the first hop; the proxies appended the real one and their own
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7, 10.0.0.9",
    )
    assert client_ip(request) == "203.0.113.7"


def test_without_trusted_proxies_the_peer_address_is_used(settings):
    settings.STEWARD_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_a_client_behind_the_proxy_cannot_escape_its_lockout_by_forging_the_header(
    settings, manager
):
    settings.STEWARD_TRUSTED_PROXIES = ["10.0.0.5"]
    for i in range(5):
        _fail(f"guess{i}", "10.0.0.5", forwarded=f"9.9.9.{i}, 203.0.113.50")
    assert _sign_in(manager.username, "10.0.0.5", forwarded="8.8.8.8, 203.0.113.50") == 429
    assert _sign_in(manager.username, "10.0.0.5", forwarded="203.0.113.51") == 302


@pytest.mark.parametrize(
    "key",
    ["", "change-me", "django-insecure-" + "a1b2c3" * 10, "short-but-random-9f8e", "ab" * 40],
)
def test_weak_secret_keys_are_named(key):
    assert weak_secret_key(key) is not None


def test_a_long_random_key_passes():
    assert weak_secret_key("k3J9-qW2_zX8vB7nM1pL0oI4uY6tR5eW3qA2sD1fG9hJ8kL7-Zp4Qr8Tx") is None


def test_check_deploy_refuses_a_well_known_secret_key(tmp_path):
    env = {
        **os.environ,
        "STEWARD_ENV": "production",
        "STEWARD_SECRET_KEY": "change-me",
        "STEWARD_ALLOWED_HOSTS": "steward.example.gov",
        "STEWARD_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "steward.settings",
    }
    env.pop("STEWARD_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "steward.E001" in result.stdout + result.stderr
