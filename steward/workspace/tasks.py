"""The daily jobs as a task on Django's Tasks API: the worker's scheduler enqueues it (every
few minutes under `make run`); the claim in `steward.workspace.daily` makes it run once a day."""

from __future__ import annotations

from django_tasks import task

from steward.workspace.daily import daily


@task()
def run_daily() -> list[str]:
    """`steward daily` in a worker. Returns the days it ran."""
    return [f"{day:%Y-%m-%d}" for day, result in daily() if result is not None]
