"""Reports and exports read from a read replica; writes never do (issue 20 point 5).

The replica is a second database alias pointing at the same test database, added for the test
as `STEWARD_DATABASE_REPLICA_URL` adds it in settings. The tests count the queries each alias
receives: the report's reads on the replica, every write (an audit row, a saved report) on the
primary, and the pages people edit from never on the replica."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext

from steward.contracts.models import Contract
from steward.core.replica import PRIMARY, REPLICA, ReplicaRouter, replica_reads
from steward.core.tests.api_support import session_client
from steward.parties.models import Agency, Role
from steward.testing.factories import AgencyFactory, ContractFactory


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup, django_db_blocker):
    """A `replica` alias on the test database, added before any test of this module asks for
    its databases (module fixtures run before the per-test database fixtures)."""
    alias = dict(connections.settings[PRIMARY])
    alias["TEST"] = {"MIRROR": PRIMARY}
    connections.settings[REPLICA] = alias
    settings.DATABASES[REPLICA] = alias
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        connections.settings.pop(REPLICA, None)
        settings.DATABASES.pop(REPLICA, None)


@pytest.fixture
def replica():
    return connections[REPLICA]


def test_router_sends_writes_to_the_primary_and_reads_only_when_asked():
    router = ReplicaRouter()
    assert router.db_for_write(Contract) == PRIMARY
    assert router.db_for_read(Contract) == PRIMARY
    with replica_reads():
        assert router.db_for_read(Contract) == REPLICA
        assert router.db_for_write(Contract) == PRIMARY
    assert router.allow_migrate(REPLICA, "contracts") is False
    assert router.allow_migrate(PRIMARY, "contracts") is True


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_inside_replica_reads_reads_go_to_the_replica_and_writes_to_the_primary(replica):
    agency = AgencyFactory(name="Replica Agency", slug="replica-agency")
    with replica_reads(), CaptureQueriesContext(replica) as on_replica:
        assert Agency.objects.filter(slug="replica-agency").exists()
        AgencyFactory(name="Written During A Report", slug="written-during")
    assert on_replica.captured_queries  # the read
    assert "INSERT" not in " ".join(q["sql"] for q in on_replica)
    assert Agency.objects.using(PRIMARY).filter(slug="written-during").exists()
    assert agency.pk


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_the_expiring_report_reads_from_the_replica(replica, agency, provider, make_user):
    from django.utils import timezone

    today = timezone.localdate()
    ContractFactory(
        agency=agency,
        provider=provider,
        number="DCF-R-1",
        status="active",
        end_date=today + timedelta(days=30),
    )
    client = session_client(make_user(Role.CONTRACT_MANAGER, username="reader"))
    with CaptureQueriesContext(replica) as on_replica:
        page = client.get("/contracts/expiring/")
        api = client.get("/api/v1/reports/expiring")
    assert page.status_code == 200 and "DCF-R-1" in page.content.decode()
    assert api.status_code == 200 and [r["number"] for r in api.json()] == ["DCF-R-1"]
    sql = " ".join(q["sql"] for q in on_replica)
    assert "contracts_contract" in sql
    assert "INSERT" not in sql and "UPDATE" not in sql


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_a_streamed_export_reads_its_rows_from_the_replica(replica, agency, provider, make_user):
    ContractFactory(agency=agency, provider=provider, number="DCF-R-2", status="active")
    client = session_client(make_user(Role.CONTRACT_MANAGER, username="exporter"))
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get("/contracts/export/?format=csv")
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and "DCF-R-2" in body
    assert any("contracts_contract" in q["sql"] for q in on_replica)


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_pages_people_edit_from_never_read_from_the_replica(replica, contract, make_user):
    client = session_client(make_user(Role.CONTRACT_MANAGER, username="editor"))
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(f"/contracts/{contract.pk}/").status_code == 200
        assert client.get("/api/v1/contracts").status_code == 200
    assert len(on_replica) == 0


def test_without_a_replica_every_read_stays_on_the_primary(monkeypatch):
    monkeypatch.delitem(settings.DATABASES, REPLICA)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Contract) == PRIMARY


def test_the_replica_url_adds_a_replica_alias_mirrored_in_tests(tmp_path):
    """STEWARD_DATABASE_REPLICA_URL names the replica; without it there is none."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: [v['ENGINE'], v.get('TEST', {}).get('MIRROR')] "
        "for k, v in settings.DATABASES.items()}))"
    )

    def aliases(replica_url: str | None) -> dict:  # type: ignore[type-arg]
        env = {**os.environ, "STEWARD_VAR_DIR": str(tmp_path)}
        env["DJANGO_SETTINGS_MODULE"] = "steward.settings"
        env.pop("STEWARD_DATABASE_REPLICA_URL", None)
        if replica_url:
            env["STEWARD_DATABASE_REPLICA_URL"] = replica_url
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    assert REPLICA not in aliases(None)
    with_replica = aliases("postgres://reader@replica.example:5432/steward")
    assert with_replica[REPLICA] == ["django.db.backends.postgresql", PRIMARY]
