"""The tasks Steward enqueues on Django's Tasks API (the `django-tasks` backport: the code moves
to `django.tasks` unchanged on Django 6). Each is a thin wrapper: the work is in plain
functions (`steward.core.jobs.run`, `steward.core.mail.deliver`) that the tests call too."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from steward.core import jobs, mail
from steward.core.models import OutboundEmail, OutboundEmailStatus


@task()
def run_job(job_id: int) -> str:
    """Do the background job `job_id` (see `steward.core.jobs`)."""
    return jobs.run(job_id)


#: A failed email is tried again after 1, 5, 15 and 60 minutes, then left to `steward daily`.
MAIL_RETRY_DELAYS = (60, 300, 900, 3600)


@task()
def deliver_mail(ids: list[int]) -> dict[str, int]:
    """Send the outbox emails `ids`. A failed send is kept `failed` on its row (with its error,
    visible to administrators on the Outbound emails page) and tried again later: by this task
    after MAIL_RETRY_DELAYS where the backend can defer, and by `steward daily`."""
    result = mail.deliver(ids)
    if result.failed and deliver_mail.get_backend().supports_defer:
        failed = list(
            OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmailStatus.FAILED)
            .filter(attempts__lte=len(MAIL_RETRY_DELAYS))
            .values_list("pk", "attempts")
        )
        for pk, attempts in failed:
            delay = MAIL_RETRY_DELAYS[min(attempts, len(MAIL_RETRY_DELAYS)) - 1]
            deliver_mail.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue([pk])
    return {"sent": result.sent, "failed": result.failed}


@task()
def recover_stale_jobs() -> int:
    """Mark failed the jobs whose worker stopped (see `steward.core.jobs.recover_stale`)."""
    return jobs.recover_stale()


@task()
def echo(value: str) -> str:
    """Returns `value`: checks that a worker runs tasks (the Redis tests, an operator)."""
    return value
