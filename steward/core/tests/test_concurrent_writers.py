"""50 people saving at the same moment get no error (issue 19 point 5; docs/security.md §5).

The requests go through the whole WSGI stack (middleware, sessions, the API) from 50 threads, each
with its own database connection. On SQLite the test database is copied to a file first: the
in-memory test database is shared by every thread and would not show "database is locked". On
PostgreSQL the threads use the test database itself (the test commits, `transactional_db`)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from steward.contracts.models import Contract
from steward.core.tests.api_support import session_client
from steward.parties.models import Provider, Role
from steward.testing.factories import ContractFactory

WRITERS = 50


def _copy_sqlite_to_file(path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_writers_get_no_error(tmp_path, agency, make_user):
    from steward.parties.services import provider_create

    managers = [make_user(Role.CONTRACT_MANAGER, username=f"writer{i}") for i in range(WRITERS)]
    # added by the writers' own agency, which therefore keeps its identity (issue 19 point 2)
    provider = provider_create(actor=managers[0], data={"legal_name": "Harbor Youth Alliance"})
    contract = ContractFactory(agency=agency, provider=provider, status="draft")
    clients = [session_client(user) for user in managers]

    settings_dict = connections.settings["default"]
    original_name = settings_dict["NAME"]
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        db_file = tmp_path / "concurrent.sqlite3"
        _copy_sqlite_to_file(db_file)
        settings_dict["NAME"] = str(db_file)

    barrier = threading.Barrier(WRITERS)
    statuses: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        client = clients[index]
        try:
            barrier.wait(timeout=30)
            # half edit the same contract (one row, the worst case), half edit the provider
            if index % 2:
                response = client.patch(
                    f"/api/v1/contracts/{contract.pk}",
                    {"notes": f"note from writer {index}"},
                    content_type="application/json",
                )
            else:
                response = client.patch(
                    f"/api/v1/providers/{provider.slug}",
                    {"city": f"City {index}"},
                    content_type="application/json",
                )
            with lock:
                statuses.append((index, response.status_code, response.content[:200].decode()))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        failures = [s for s in statuses if s[1] != 200]
        assert len(statuses) == WRITERS
        assert failures == []
        if sqlite:
            reader = sqlite3.connect(db_file)
            version = reader.execute(
                "SELECT version FROM contracts_contract WHERE id = ?", [contract.pk]
            ).fetchone()[0]
            provider_version = reader.execute(
                "SELECT version FROM parties_provider WHERE id = ?", [provider.pk]
            ).fetchone()[0]
            reader.close()
        else:
            version = Contract.objects.get(pk=contract.pk).version
            provider_version = Provider.objects.get(pk=provider.pk).version
        # every save counted: no update was lost
        assert version == 1 + WRITERS // 2
        assert provider_version == 1 + WRITERS // 2
    finally:
        settings_dict["NAME"] = original_name


def test_sqlite_is_configured_for_a_web_server(settings):
    """WAL, a busy timeout and IMMEDIATE transactions on the default SQLite database."""
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL: the SQLite options do not apply")
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
