"""Background jobs (issue 20): imports started from the page or the API answer with a job; the
job page and `GET /api/v1/jobs/{id}` show its progress and report to its owner and
administrators only; a job whose worker stopped is marked failed and can be retried; nothing of
a failed import is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from steward.contracts.models import Contract
from steward.core import jobs
from steward.core.models import Job, JobStatus
from steward.core.tests.api_support import call, session_client, token_client
from steward.parties.models import Role

HEADER = (
    b"number,title,provider,contract type,start date,end date,maximum obligation,"
    b"compensation structure,procurement method\n"
)
GOOD = HEADER + b"J-1,T,Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"
BAD = GOOD + b"J-2,T,Acme,pos,2026-02-30,2026-12-31,10,unit_rate,tendered\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def register(body: bytes = GOOD) -> SimpleUploadedFile:
    return SimpleUploadedFile("register.csv", body, content_type="text/csv")


def start(user, body: bytes = GOOD):
    return call(
        token_client(user),
        "post",
        "/contracts/import",
        {"file": register(body)},  # in the background by default
    )


def test_api_import_in_the_background_answers_with_a_job_that_imports(manager):
    """Issue 20: the request stores the upload and answers with a job; the task imports it."""
    response = start(manager)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "contracts.import"
    # the tests' immediate backend has already run it
    assert body["status"] == "succeeded" and body["rows_read"] == 1 and body["progress"] == 100
    assert body["result"]["created"] == 1 and body["result"]["written"]
    assert Contract.objects.get().number == "J-1"
    assert body["url"] == f"/api/v1/jobs/{body['id']}" == response["Location"]
    assert body["page_url"] == reverse("core:job", args=[body["id"]])
    job = Job.objects.get(pk=body["id"])
    assert not default_storage.exists(job.upload)  # a finished job's upload is not kept
    again = call(token_client(manager), "get", f"/jobs/{body['id']}")
    assert again.status_code == 200 and again.json()["summary"].startswith("register.csv")


def test_a_refused_file_finishes_with_its_problems_and_a_report(manager):
    """All or nothing stays all or nothing: one bad row, nothing imported; the report lists it."""
    body = start(manager, BAD).json()
    assert body["status"] == "succeeded" and body["problems"] == 1
    assert not body["result"]["written"] and Contract.objects.count() == 0
    assert "2026-02-30" in " ".join(body["result"]["first_problems"])
    client = session_client(manager)
    report = client.get(body["report_url"])
    assert report.status_code == 200
    assert b"2026-02-30" in b"".join(report.streaming_content)
    page = client.get(reverse("core:job", args=[body["id"]]))
    assert "Finished, with problems to look at" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "same_agency", "expected"),
    [
        (Role.CONTRACT_MANAGER, True, 404),  # a colleague: not their job
        (Role.CONTRACT_MANAGER, False, 404),
        (Role.PROVIDER_USER, False, 404),
        (Role.ADMINISTRATOR, False, 200),
    ],
)
def test_a_job_is_seen_by_its_owner_and_administrators_only(
    manager, make_user, other_agency, role, same_agency, expected
):
    job_id = start(manager).json()["id"]
    extra = {} if same_agency or role != Role.CONTRACT_MANAGER else {"agency": other_agency}
    other = make_user(role, **extra)
    assert call(token_client(other), "get", f"/jobs/{job_id}").status_code == expected
    page = session_client(other).get(reverse("core:job", args=[job_id]))
    assert page.status_code == expected
    report = session_client(other).post(reverse("core:job_retry", args=[job_id]))
    assert report.status_code == 404 if expected == 404 else report.status_code == 302


def test_the_page_import_answers_with_the_job_when_there_is_more_to_read(manager):
    """The confirm step starts a job; a job with notices to read lands on its page."""
    client = session_client(manager)
    url = reverse("contracts:import")
    long_title = b"x" * 600
    body = (
        HEADER + b"J-1," + long_title + b",Acme,pos,2026-01-01,2026-12-31,10,unit_rate,tendered\n"
    )
    response = client.post(url, {"file": register(body), "format": "native"})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    check = Job.objects.get()
    assert check.kind == "contracts.import" and check.params["dry_run"]
    response = client.post(reverse("contracts:import_confirm", args=[check.pk]))
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    page = client.get(response.url)
    assert page.status_code == 200 and "Finished" in page.content.decode()
    partial = client.get(response.url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="job-status"' in partial.content
    assert Contract.objects.count() == 1


def test_a_job_that_fails_mid_import_keeps_nothing_and_can_be_retried(manager, monkeypatch):
    """Killing the work mid-job: its one transaction rolls back; the job says failed, retry."""
    from steward.contracts import importing

    real = importing._Writer.write

    def crash(self, good):
        real(self, good)  # rows written inside the import's transaction...
        raise RuntimeError("worker killed")  # ...then the work stops

    monkeypatch.setattr(importing._Writer, "write", crash)
    body = start(manager).json()
    assert body["status"] == "failed" and body["can_retry"]
    assert "nothing was kept" in body["error"]
    assert Contract.objects.count() == 0
    job = Job.objects.get(pk=body["id"])
    assert default_storage.exists(job.upload)  # kept for the retry

    monkeypatch.setattr(importing._Writer, "write", real)
    retried = call(token_client(manager), "post", f"/jobs/{body['id']}/retry")
    assert retried.status_code == 201, retried.content
    assert retried.json()["status"] == "succeeded" and retried.json()["retry_of"] == body["id"]
    assert Contract.objects.get().number == "J-1"
    # a job is retried once; a finished one not at all
    assert call(token_client(manager), "post", f"/jobs/{body['id']}/retry").status_code == 409
    new_id = retried.json()["id"]
    assert call(token_client(manager), "post", f"/jobs/{new_id}/retry").status_code == 409


def test_a_job_whose_worker_stopped_is_marked_failed(manager):
    """A running job with no sign of life for STEWARD_JOB_STALE_AFTER_SECONDS: its worker was
    killed (its transaction rolled back); `recover_stale` marks it failed, with a retry."""
    now = timezone.now()
    job = Job.objects.create(
        owner=manager,
        kind="contracts.import",
        label="Register import",
        status=JobStatus.RUNNING,
        started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(hours=1),
    )
    fresh = Job.objects.create(
        owner=manager,
        kind="contracts.import",
        label="Register import",
        status=JobStatus.RUNNING,
        heartbeat_at=now,
    )
    assert jobs.recover_stale(now=now) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.STALE_MESSAGE
    assert fresh.status == JobStatus.RUNNING
    page = session_client(manager).get(reverse("core:job", args=[job.pk]))
    assert "Retry the job" in page.content.decode()


def test_a_task_delivered_twice_runs_once(manager):
    body = start(manager).json()
    assert jobs.run(body["id"]) == "skipped"


def test_job_list_page(manager, make_user):
    start(manager)
    page = session_client(manager).get(reverse("core:job_list"))
    assert page.status_code == 200 and "Register import" in page.content.decode()
    other = session_client(make_user(Role.CONTRACT_MONITOR)).get(reverse("core:job_list"))
    assert "Register import" not in other.content.decode()


def test_returns_import_in_the_background_over_the_api(manager, contract):
    """The returns import (up to 100 MiB) answers with a job too."""
    from steward.performance.tests.factories import with_plan

    indicator, _ = with_plan(contract, manager)
    body = (
        f"Contract,Period start,Indicator,Value\n{contract.number},2026-01-01,{indicator.name},91\n"
    )
    response = call(
        token_client(manager),
        "post",
        "/performance/import",
        {"file": SimpleUploadedFile("r.csv", body.encode()), "background": True},
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "succeeded"
    assert response.json()["result"]["created"] == 1


def test_email_is_sent_by_a_task(manager, mailoutbox, django_capture_on_commit_callbacks):
    """Every email goes through the outbox and a task sends it (at once in the tests)."""
    from steward.core.mail import send_after_commit
    from steward.core.models import OutboundEmail, OutboundEmailStatus

    with django_capture_on_commit_callbacks(execute=True):
        row = send_after_commit(subject="Hello", body="Body", to=["a@example.org"])
    assert row is not None
    row.refresh_from_db()
    assert row.status == OutboundEmailStatus.SENT and len(mailoutbox) == 1
    assert OutboundEmail.objects.count() == 1


def _settings_in(env: dict[str, str]) -> dict[str, str]:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")} | env
    code = (
        "import json, steward.settings as s; print(json.dumps({'tasks': "
        "s.TASKS['default']['BACKEND'], 'storage': s.STORAGES['default']['BACKEND']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_backends_and_storage_are_settings():
    """Issue 20: the database backend by default, RQ with STEWARD_TASKS_REDIS_URL; uploads in
    the local folder, or an S3-compatible bucket with STEWARD_S3_BUCKET."""
    plain = _settings_in({})
    assert plain == {
        "tasks": "django_tasks_db.DatabaseBackend",
        "storage": "django.core.files.storage.FileSystemStorage",
    }
    shared = _settings_in(
        {"STEWARD_TASKS_REDIS_URL": "redis://127.0.0.1:6379/3", "STEWARD_S3_BUCKET": "steward"}
    )
    assert shared == {
        "tasks": "django_tasks_rq.RQBackend",
        "storage": "storages.backends.s3.S3Storage",
    }


def test_a_worker_killed_mid_job_leaves_nothing_and_recover_offers_a_retry(manager, monkeypatch):
    """The done-when of issue 20: the worker process dies mid-import (simulated by an exit
    the job machinery does not catch, as a killed process never reaches its handlers; the
    tests' immediate backend, like a worker's supervisor, only notes the task died): the
    import's transaction is rolled back, the job still says running; `steward jobs recover`
    marks it failed, and its page offers the retry, which imports the file."""
    import io

    from django.core.management import call_command

    from steward.contracts import importing

    real = importing._Writer.write

    def killed(self, good):
        real(self, good)  # rows written inside the import's transaction...
        raise SystemExit("SIGKILL")  # ...then the process is gone

    monkeypatch.setattr(importing._Writer, "write", killed)
    body = start(manager).json()
    job = Job.objects.get(pk=body["id"])
    assert job.status == JobStatus.RUNNING and Contract.objects.count() == 0
    assert default_storage.exists(job.upload)

    out = io.StringIO()
    call_command("jobs", "recover", "--all", stdout=out)
    assert "1 stopped job(s) marked failed." in out.getvalue()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.STALE_MESSAGE
    client = session_client(manager)
    page = client.get(reverse("core:job", args=[job.pk]))
    assert "Retry the job" in page.content.decode()

    monkeypatch.setattr(importing._Writer, "write", real)
    response = client.post(reverse("core:job_retry", args=[job.pk]))
    retried = Job.objects.get(retry_of=job)
    assert response.url == reverse("core:job", args=[retried.pk])
    assert retried.status == JobStatus.SUCCEEDED and Contract.objects.get().number == "J-1"


def test_prune_deletes_old_files_and_task_results_and_keeps_the_rows(manager, settings):
    """After STEWARD_JOB_RETENTION_DAYS the stored files of finished jobs and the finished
    task results are deleted (part of `steward daily`); newer ones and the rows stay."""
    from django_tasks_db.models import DBTaskResult

    from steward.core.tasks import echo

    old = Job.objects.get(pk=start(manager, BAD).json()["id"])  # a refused file: a report
    new = Job.objects.get(pk=start(manager, BAD).json()["id"])
    assert old.report and default_storage.exists(old.report)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=31))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    echo.enqueue("old")
    echo.enqueue("new")
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.order_by("enqueued_at").first().pk).update(
        finished_at=timezone.now() - timedelta(days=31)
    )
    settings.STEWARD_JOB_RETENTION_DAYS = 30

    pruned = jobs.prune()
    assert (pruned.files, pruned.jobs, pruned.task_results) == (1, 1, 1)
    assert not default_storage.exists(old.report)
    old.refresh_from_db()
    assert old.report == "" and old.summary  # the row and what it found stay
    assert default_storage.exists(new.report) and DBTaskResult.objects.count() == 1
    page = session_client(manager).get(reverse("core:job", args=[old.pk]))
    assert page.status_code == 200 and "Download the report" not in page.content.decode()
    assert jobs.prune() == jobs.Pruned()  # twice is harmless
