"""Project-wide pytest fixtures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from steward.parties.models import Role
from steward.testing.factories import (
    AgencyFactory,
    ContractFactory,
    ProviderFactory,
    UserFactory,
    shipped_pack,
)


@pytest.fixture
def packs(db):
    """The five shipped policy packs, loaded into the test database."""
    from steward.core.services import policy_packs_load_shipped

    return {p.slug: p for p in policy_packs_load_shipped()}


@pytest.fixture
def agency(packs):
    return AgencyFactory(
        name="Department of Children and Families", slug="dcf", pack=packs["connecticut-opm"]
    )


@pytest.fixture
def other_agency(packs):
    return AgencyFactory(
        name="Department of Mental Health", slug="dmh", pack=packs["massachusetts-osd"]
    )


@pytest.fixture
def provider(db):
    return ProviderFactory(legal_name="Bright Futures Family Services, Inc.", slug="bright-futures")


@pytest.fixture
def other_provider(db):
    return ProviderFactory(legal_name="Harbor Youth Alliance", slug="harbor-youth")


@pytest.fixture
def make_user(agency, provider):
    """Factory fixture: make_user(role, agency=..., provider=...) with defaults per role."""

    def make(role: str, **kwargs):
        if role == Role.PROVIDER_USER:
            kwargs.setdefault("provider", provider)
            kwargs.setdefault("agency", None)
        elif role == Role.ADMINISTRATOR:
            kwargs.setdefault("agency", None)
        else:
            kwargs.setdefault("agency", agency)
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def manager(make_user):
    return make_user(Role.CONTRACT_MANAGER, username="manager")


@pytest.fixture
def contract(agency, provider):
    return ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-24-001",
        title="Intensive family preservation",
        status="active",
    )


__all__ = ["shipped_pack"]


@pytest.fixture(autouse=True)
def _noon_utc():
    """Every test runs at noon UTC of today's date, the clock ticking from there.

    An agency's "today" is the date in its own zone (America/New_York, America/Chicago,
    Europe/London, ...). Between midnight UTC and midnight in the Americas the server's
    "today" for a US agency is a day behind the UTC date, and tests that reason in dates
    would fail only at night. At noon UTC every agency's zone is on the UTC date. Tests that
    travel in time themselves (time-machine) nest inside this."""
    now = datetime.now(UTC)
    with time_machine.travel(now.replace(hour=12, minute=0, second=0, microsecond=0), tick=True):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher costs ~0.2 s a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(request, settings):
    """Administrators, agency administrators and oversight officers must confirm a code from
    an authenticator app (steward.parties.accounts). Tests of other areas sign them in with
    `force_login`; the tests of the second factor itself are marked `two_factor`."""
    settings.STEWARD_TWO_FACTOR_REQUIRED = request.node.get_closest_marker("two_factor") is not None


@pytest.fixture(autouse=True)
def _lazy_static_file_index(settings):
    """Every test client builds the middleware stack; WhiteNoise would index all static files
    each time. Autorefresh makes it look files up per request instead (tests only)."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def run_days(settings, mailoutbox, django_capture_on_commit_callbacks):
    """run_days(first, last): the daily job (`steward send-reminders`) on each day from `first`
    to `last`; returns {day: sorted [(subject, recipients)]} for the days that sent something
    about a contract. The agency's own twice-yearly report to the commissioning body (seed 002
    stage 10), which falls due for every agency holding contracts whatever a test does, is left
    out, as is the prompt to start each live contract's next monitoring cycle: they have their
    own tests."""
    from steward.workspace.services import daily_run

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def about_a_contract(mail) -> bool:  # type: ignore[no-untyped-def]
        # The prompt to start the next monitoring cycle (seed 002 stage 1) also falls due for
        # every live contract, whatever a test does: steward/monitoring/tests/test_next_cycle.py
        # tests its reminders.
        return (
            "report on all services" not in mail.subject
            and "Start the next monitoring cycle" not in mail.subject
        )

    def run(first, last):  # type: ignore[no-untyped-def]
        sent = {}
        day = first
        while day <= last:
            mailoutbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                daily_run(as_of=day)
            mails = [m for m in mailoutbox if about_a_contract(m)]
            if mails:
                sent[day] = sorted((m.subject, tuple(sorted(m.to))) for m in mails)
            day += timedelta(days=1)
        return sent

    return run


@pytest.fixture(autouse=True)
def _api_responses_match_the_published_schema(monkeypatch):
    """Issue 19 point 10: every API response a test receives is checked against the published
    OpenAPI schema (steward/testing/openapi_check.py); a violation fails the test."""
    from django.test import Client

    from steward.testing.openapi_check import check_response

    original = Client.request

    def request(self, **kwargs):  # type: ignore[no-untyped-def]
        response = original(self, **kwargs)
        check_response(kwargs.get("REQUEST_METHOD", "GET"), kwargs.get("PATH_INFO", ""), response)
        return response

    monkeypatch.setattr(Client, "request", request)
