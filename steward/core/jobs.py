"""Jobs: long work done in the background, with progress a person can follow.

A job is a row (`steward.core.models.Job`) and a task on Django's Tasks API (the `django-tasks`
backport; the backend is a setting: the database, RQ on Redis, or immediate under the tests).
The area that owns the work registers a *kind* (`register_kind`) with the function that does
it; `job_start` writes the row and enqueues `steward.core.tasks.run_job`, which claims the row
(a conditional update, so a task delivered twice runs once), calls the function with a
`Progress` and stores what it returns: the summary, the counts, the report file.

- **Nothing half-written.** The work functions do their writing in one transaction (the
  imports already do): a worker killed mid-job rolls it back. The row then says `running`
  with a heartbeat that stops; `recover_stale` (run when a worker starts, by `steward daily`
  and by `steward jobs recover`) marks it failed, and the owner can retry it (`job_retry`),
  which starts a new job from the same stored upload.
- **Progress** is written through a connection of its own on PostgreSQL, so that it is seen
  while the work's transaction is still open; on SQLite (one writer at a time) only the start
  and the end are written.
- **Who sees a job**: its owner and administrators (`job_get`); anyone else gets "not found".
  A kind may ask more of whoever downloads its file (`register_kind(may_download=...)`: a
  batch of letters only for who may still read every letter in it; `download_check`).
- **Progress of counted work** (a batch of letters): `Progress.expect(total)` makes the per
  cent done `rows_read` of `total`; the job's `params` carry `total` and `unit` for its page
  ("3 of 40 letters drawn").
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone

from steward.core.errors import NotFoundError, TransitionNotAllowed
from steward.core.models import Job, JobStatus

logger = logging.getLogger("steward.jobs")

ADMINISTRATOR = "administrator"  # parties.models.Role.ADMINISTRATOR (core sits below parties)
#: How often progress is written at most (seconds).
PROGRESS_EVERY = 2.0
STALE_MESSAGE = (
    "The worker stopped before the job finished (it was stopped or its machine was lost). "
    "Nothing from this job was kept; retry it."
)


@dataclass
class Outcome:
    """What a job's work returns: stored on the row, shown on the job page."""

    summary: str
    rows_read: int = 0
    problems: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    report_text: str = ""
    report_name: str = ""
    #: a binary file to offer instead of `report_text` (a batch of PDF letters, a procurement
    #: file); its type is taken from `report_name`'s extension
    report_bytes: bytes = b""
    #: A file the work already wrote to the default storage (an export): the job's download.
    report_file: str = ""


Work = Callable[[Job, "Progress"], Outcome]
#: may_download(actor, job): whether `actor` may still have the job's file
DownloadCheck = Callable[[Any, Job], bool]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    work: Work
    may_download: DownloadCheck | None = None


_KINDS: dict[str, Kind] = {}


def register_kind(
    name: str, *, label: str, work: Work, may_download: DownloadCheck | None = None
) -> None:
    """Make `name` a kind of job done by `work(job, progress) -> Outcome` (areas call this from
    their AppConfig.ready); `may_download(actor, job)`, when given, is asked before the job's
    file is handed to anyone. Registering a name again replaces it."""
    _KINDS[name] = Kind(name=name, label=label, work=work, may_download=may_download)


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError as exc:
        raise NotFoundError(f"No kind of job is called {name!r}.") from exc


class Progress:
    """Reports how far a job got: rows read, problems so far and, when the input's size is
    known, the per cent done. Cheap to call on every batch: it writes at most every
    PROGRESS_EVERY seconds."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stream: IO[bytes] | None = None
        self.size = 0
        self.total = 0
        self._last = 0.0
        self._side: Any = None

    def watch(self, stream: IO[bytes], size: int) -> None:
        """Take the per cent done from `stream`'s position in its `size` bytes."""
        self.stream = stream
        self.size = size

    def expect(self, total: int) -> None:
        """Take the per cent done from the rows read out of `total` (counted work)."""
        self.total = total

    def percent(self, rows_read: int = 0) -> int | None:
        if self.total:
            return max(0, min(99, rows_read * 100 // self.total))
        if self.stream is None or not self.size:
            return None
        try:
            position = self.stream.tell()
        except (OSError, ValueError):
            return None
        return max(0, min(99, position * 100 // self.size))

    def __call__(self, rows_read: int, problems: int = 0, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        values: dict[str, Any] = {"rows_read": rows_read, "problems": problems}
        percent = self.percent(rows_read)
        if percent is not None:
            values["progress"] = percent
        try:
            self._write(values)
        except Exception:  # progress is a courtesy: never the reason a job fails
            logger.warning("Could not record the progress of job %s", self.job_id, exc_info=True)

    def _write(self, values: dict[str, Any]) -> None:
        values["heartbeat_at"] = timezone.now()
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(**values)
            return
        if connection.vendor != "postgresql":
            return  # SQLite: one writer at a time; the work's transaction holds it
        if self._side is None:
            self._side = connections.create_connection("default")
        columns = ", ".join(f"{name} = %s" for name in values)
        with self._side.cursor() as cursor:
            cursor.execute(
                # the column names are this function's own keys, never input
                f"UPDATE {Job._meta.db_table} SET {columns} WHERE id = %s AND status = %s",  # noqa: S608
                [*values.values(), self.job_id, JobStatus.RUNNING],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# ---------------------------------------------------------------- starting and running


def store_upload(upload: Any, *, folder: str = "imports") -> str:
    """Keep an uploaded file in the default storage (the local folder or the shared bucket)
    for a worker to read; returns its path."""
    extension = PurePath(upload.name or "upload").suffix.lower()[:8]
    upload.seek(0)
    return default_storage.save(f"{folder}/{uuid.uuid4().hex}{extension}", upload)


def job_start(
    *,
    owner: Any,
    kind_name: str,
    params: dict[str, Any] | None = None,
    upload: str = "",
    label: str = "",
    retry_of: Job | None = None,
) -> Job:
    """Write a queued job of `kind_name` for `owner` (None: Steward itself) and enqueue its
    task (after the current transaction commits when a worker could otherwise run it first).
    `upload` is the path in the default storage of the file it reads. Returns the job; with
    the immediate backend (tests) it has already run."""
    registered = kind(kind_name)
    job = Job.objects.create(
        owner=owner,
        kind=kind_name,
        label=(label or registered.label)[:200],
        params=params or {},
        upload=upload,
        retry_of=retry_of,
        attempt=(retry_of.attempt + 1) if retry_of else 1,
    )
    if _runs_inline() or not connection.in_atomic_block:
        _enqueue(job.pk)
    else:
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    job.refresh_from_db(using="default")  # never a replica: the row was just written
    return job


def _runs_inline() -> bool:
    return str(settings.TASKS["default"]["BACKEND"]).endswith("ImmediateBackend")


def _enqueue(job_id: int) -> None:
    from steward.core.tasks import run_job

    try:
        result = run_job.enqueue(job_id)
    except Exception as exc:
        logger.exception("Could not queue job %s", job_id)
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            error=f"The job could not be queued ({type(exc).__name__}); retry it.",
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id)[:64])


def run(job_id: int) -> str:
    """Do job `job_id` (the task's body): claim it, run its kind's work, store the outcome.
    A job already claimed (a task delivered twice) is left alone. Returns the final status."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, updated_at=now
    )
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job_id)
    try:
        outcome = kind(job.kind).work(job, progress)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _finish_failed(job_id, _error_text(exc))
        return JobStatus.FAILED
    finally:
        progress.close()
    report = outcome.report_file
    if (outcome.report_text or outcome.report_bytes) and not report:
        report = default_storage.save(
            f"jobs/{job_id}/{outcome.report_name or 'report.csv'}",
            ContentFile(outcome.report_bytes or outcome.report_text.encode("utf-8")),
        )
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        rows_read=outcome.rows_read,
        problems=outcome.problems,
        progress=100,
        summary=outcome.summary,
        result=outcome.result,
        report=report,
        report_name=outcome.report_name if report else "",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        updated_at=timezone.now(),
    )
    _forget_upload(job)
    return JobStatus.SUCCEEDED


def _error_text(exc: Exception) -> str:
    from steward.core.errors import ApplicationError

    if isinstance(exc, ApplicationError):
        return exc.message
    return f"The job stopped on an unexpected error ({type(exc).__name__}); nothing was kept."


def _finish_failed(job_id: int, error: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, error=error[:4000], finished_at=now, updated_at=now
    )


def _forget_upload(job: Job) -> None:
    """The stored upload of a job that succeeded is no longer needed (a failed job keeps it
    for its retry; a check with a confirm step, `params["keep_upload"]`, for its import; the
    files nobody came back for are pruned by `prune`)."""
    if not job.upload or job.params.get("keep_upload"):
        return
    waiting = (JobStatus.QUEUED, JobStatus.RUNNING)
    if not Job.objects.filter(upload=job.upload, status__in=waiting).exclude(pk=job.pk).exists():
        try:
            default_storage.delete(job.upload)
        except Exception:
            logger.warning("Could not delete %s", job.upload, exc_info=True)


def recover_stale(*, now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Mark failed every running job with no sign of life for `older_than` (default
    STEWARD_JOB_STALE_AFTER_SECONDS): its worker was stopped; its transaction was rolled back,
    so nothing of it was kept. Returns how many."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.STEWARD_JOB_STALE_AFTER_SECONDS)
    return Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lte=now - older_than).update(
        status=JobStatus.FAILED, error=STALE_MESSAGE, finished_at=now, updated_at=now
    )


# ---------------------------------------------------------------- reading and retrying


def can_see(actor: Any, job: Job) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and (job.owner_id == actor.pk or getattr(actor, "role", "") == ADMINISTRATOR)
    )


def job_get(*, actor: Any, pk: int) -> Job:
    """The job `pk` if `actor` may see it (its owner, an administrator); NotFoundError else."""
    job = Job.objects.select_related("owner").filter(pk=pk).first()
    if job is None or not can_see(actor, job):
        raise NotFoundError("No such job.")
    return job


def download_check(*, actor: Any, job: Job) -> None:
    """Before the job's file is handed to `actor` (who may see the job): PermissionDeniedError
    when its kind says they may no longer have it (a batch of letters one of which they may
    no longer read)."""
    from steward.core.errors import PermissionDeniedError

    check = _KINDS[job.kind].may_download if job.kind in _KINDS else None
    if check is not None and not check(actor, job):
        raise PermissionDeniedError("You may no longer read every document in this file.")


def job_list(*, actor: Any, limit: int = 50) -> list[Job]:
    """The actor's latest jobs (an administrator: everyone's), newest first."""
    jobs = Job.objects.select_related("owner")
    if getattr(actor, "role", "") != ADMINISTRATOR:
        jobs = jobs.filter(owner=actor)
    return list(jobs[:limit])


def job_retry(*, actor: Any, job: Job) -> Job:
    """Start again a failed job, from the same stored upload, as a new job (the failed one is
    kept). Its owner or an administrator; 409 unless it failed and was not retried yet."""
    if not can_see(actor, job):
        raise NotFoundError("No such job.")
    if job.status != JobStatus.FAILED:
        raise TransitionNotAllowed("Only a failed job can be retried.")
    later = job.retries.order_by("-pk").first()
    if later is not None:
        raise TransitionNotAllowed(f"This job was already retried (job {later.pk}).")
    if job.upload and not default_storage.exists(job.upload):
        raise TransitionNotAllowed("The uploaded file is gone; upload it again.")
    return job_start(
        owner=job.owner,
        kind_name=job.kind,
        params=job.params,
        upload=job.upload,
        label=job.label,
        retry_of=job,
    )


# ---------------------------------------------------------------- retention


@dataclass
class Pruned:
    files: int = 0
    jobs: int = 0
    task_results: int = 0


def prune(*, now: datetime | None = None, days: int | None = None) -> Pruned:
    """After `days` (default STEWARD_JOB_RETENTION_DAYS): delete the stored files (upload,
    report) of jobs that finished that long ago, and the finished task results of the database
    backend. The job rows stay (who ran what, when, with what result), their page saying the
    files are no longer kept. A file another, newer job still reads is left for that job."""
    now = now or timezone.now()
    days = settings.STEWARD_JOB_RETENTION_DAYS if days is None else days
    before = now - timedelta(days=days)
    finished = (JobStatus.SUCCEEDED, JobStatus.FAILED)
    old = Job.objects.filter(status__in=finished, finished_at__lt=before).exclude(
        upload="", report=""
    )
    pruned = Pruned()
    for job in old.only("pk", "upload", "report").iterator(chunk_size=500):
        for path in (job.upload, job.report):
            if not path or (path == job.upload and _still_read(job, before)):
                continue
            try:
                if default_storage.exists(path):
                    default_storage.delete(path)
                    pruned.files += 1
            except Exception:
                logger.warning("Could not delete %s", path, exc_info=True)
        Job.objects.filter(pk=job.pk).update(upload="", report="", report_name="")
        pruned.jobs += 1
    pruned.task_results = _prune_task_results(before)
    return pruned


def _still_read(job: Job, before: datetime) -> bool:
    """Another job on the same upload that is not old enough to prune (or still running)."""
    from django.db.models import Q

    return (
        Job.objects.filter(upload=job.upload)
        .exclude(pk=job.pk)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=before))
        .exists()
    )


def _prune_task_results(before: datetime) -> int:
    """The database backend's finished task results older than `before` (RQ keeps its own,
    with a time to live)."""
    from django.apps import apps

    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted
