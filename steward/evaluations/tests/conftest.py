"""Fixtures of the evaluations tests (a module's own fixture of the same name wins)."""

from __future__ import annotations

import pytest

from steward.evaluations.tests.factories import completed_contract, walk
from steward.parties.models import Role


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def monitor(make_user):
    return make_user(Role.CONTRACT_MONITOR, username="monitor")


@pytest.fixture
def officer(make_user):
    return make_user(Role.OVERSIGHT_OFFICER, username="officer")


@pytest.fixture
def other_manager(make_user, other_agency):
    return make_user(Role.CONTRACT_MANAGER, username="other-manager", agency=other_agency)


@pytest.fixture
def provider_user(make_user):
    return make_user(Role.PROVIDER_USER, username="provider-user")


@pytest.fixture
def closed(manager, provider):
    return completed_contract(manager, provider=provider, number="DCF-25-100")


@pytest.fixture
def final_and_draft(manager, monitor, provider):
    """A finalised evaluation of one contract and a draft of another, same agency and provider."""
    done = completed_contract(manager, provider=provider, number="DCF-25-FINAL")
    final = walk(done, author=monitor, to="finalised", reviewer=manager)
    pending = completed_contract(manager, provider=provider, number="DCF-25-DRAFT")
    draft = walk(pending, author=monitor, to="draft")
    return final, draft
