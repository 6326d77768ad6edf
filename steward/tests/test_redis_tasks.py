"""Tasks on Redis with a real RQ worker (issue 20): the backend switched on by
STEWARD_TASKS_REDIS_URL. Needs Redis at 127.0.0.1:6379 (`.ci/run` starts it); skipped when it
is unreachable, unless STEWARD_REQUIRE_REDIS=1 (CI), which makes that a failure."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: the tests empty it
ROOT = Path(__file__).resolve().parents[2]
JOB_CLASS = "django_tasks_rq.Job"  # the worker must use it (django-tasks-rq's docs)
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def rq(settings):
    if not _redis_up():
        reason = "Redis is not reachable at 127.0.0.1:6379 (start redis-server to run these)"
        if os.environ.get("STEWARD_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason} (STEWARD_REQUIRE_REDIS=1)")
        pytest.skip(reason)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
    settings.TASKS = RQ_TASKS
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


def run_worker(env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """One real RQ worker process: it runs every queued task, then stops (`--burst`)."""
    environ = {
        k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST")
    }
    environ |= {"STEWARD_TASKS_REDIS_URL": REDIS_URL, "STEWARD_TASKS_BACKEND": "rq"}
    environ |= env or {}
    return subprocess.run(
        [sys.executable, "manage.py", "rqworker", "default", "--burst", "--job-class", JOB_CLASS],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_real_worker_runs_a_task_from_redis(rq):
    from django_tasks.base import TaskResultStatus

    from steward.core.tasks import echo

    result = echo.enqueue("hello")
    assert result.status == TaskResultStatus.READY  # queued in Redis, not run here
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL, (result.errors, worker.stderr[-3000:])
    assert result.return_value == "hello"


@pytest.mark.django_db(transaction=True)
def test_an_import_job_runs_in_an_rq_worker(rq, manager, settings, tmp_path):
    """The page/API answers with a queued job; a separate worker process imports the file."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test database is in memory, out of a worker's reach"
        )
    from steward.contracts.models import Contract
    from steward.core.models import Job, JobStatus
    from steward.core.tests.api_support import call, token_client

    settings.MEDIA_ROOT = tmp_path / "media"
    body = (
        b"number,title,provider,contract type,start date,end date,maximum obligation,"
        b"compensation structure,procurement method\n"
        b"R-1,T,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"
    )
    response = call(
        token_client(manager),
        "post",
        "/contracts/import",
        {"file": SimpleUploadedFile("r.csv", body), "background": True},
    )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert Contract.objects.count() == 0
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = run_worker({"DATABASE_URL": url, "STEWARD_VAR_DIR": str(tmp_path)})
    assert worker.returncode == 0, worker.stderr
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Contract.objects.get().number == "R-1"
