"""Production settings pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        **os.environ,
        "STEWARD_ENV": "production",
        "STEWARD_SECRET_KEY": "x" * 30 + "a-long-random-production-secret-value-1234567890",
        "STEWARD_ALLOWED_HOSTS": "steward.example.gov",
        "STEWARD_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "steward.settings",
    }
    env.pop("STEWARD_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **os.environ,
        "STEWARD_ENV": "production",
        "STEWARD_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "steward.settings",
    }
    env.pop("STEWARD_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "STEWARD_SECRET_KEY" in result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    """.env.example is where an operator learns the settings: it cannot fall behind."""
    import re

    settings_source = (ROOT / "steward" / "settings.py").read_text()
    read = set(
        re.findall(
            r"""(?:env_\w+|os\.environ\.get|os\.environ\[)\(?\s*["']([A-Z_]+)["']""",
            settings_source,
        )
    )
    read |= {"DATABASE_URL"}  # read by dj-database-url
    assert {
        "STEWARD_ENV",
        "STEWARD_SECRET_KEY",
        "STEWARD_VAR_DIR",
    } <= read  # the pattern finds them
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert sorted(read - listed) == []
