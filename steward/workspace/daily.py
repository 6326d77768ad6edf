"""`steward daily`: the daily jobs of every area, once a day, whoever runs them.

Run by the worker's scheduler under `make run` (see scripts/serve.py), by cron, a systemd timer
or a Kubernetes CronJob (docs/background-jobs.md); safe to run twice, and from several
machines at once:

- **Claimed in the database.** Each day has a `DailyRun` row; a run takes a day only through a
  conditional update (pending or failed, or claimed so long ago that its runner died, to
  claimed), so with several workers exactly one runs it.
- **Missed days are caught up**, oldest first, up to CATCH_UP_DAYS: each day's dated jobs
  (windows that lapse, due dates that open, contracts that expire) run as of that day, so a
  weekend with the worker stopped leaves nothing behind; the risk assessment runs once, as of
  the last day.
- **Each job is itself idempotent** (the reminders are never sent twice, an expired contract
  stays expired), so a day run again by hand (`--force`) changes nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from steward.contracts.services import contracts_expire_due
from steward.core import jobs, mail
from steward.core.models import DailyRun
from steward.risk.services import recompute
from steward.workspace.services import daily_run

logger = logging.getLogger("steward.daily")

CATCH_UP_DAYS = 7
#: A day claimed longer ago than this whose run never finished is taken again.
CLAIM_EXPIRES = timedelta(hours=2)
PENDING, CLAIMED, DONE, FAILED = "pending", "claimed", "done", "failed"


def days_due(*, today: date, catch_up: int = CATCH_UP_DAYS) -> list[date]:
    """The days whose jobs have not run: from the day after the last one done (at most
    `catch_up` days back; today alone on a new installation) to `today`."""
    last = DailyRun.objects.filter(status=DONE).aggregate(last=Max("day"))["last"]
    if last is None:
        first = today  # a new installation: nothing was missed
    else:
        first = max(today - timedelta(days=catch_up - 1), last + timedelta(days=1))
    done = set(DailyRun.objects.filter(day__gte=first, status=DONE).values_list("day", flat=True))
    return [
        first + timedelta(days=n)
        for n in range((today - first).days + 1)
        if first + timedelta(days=n) not in done
    ]


def claim(day: date, *, now: datetime | None = None, force: bool = False) -> bool:
    """Take `day` for this run: True for exactly one of any number of runs at once."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            DailyRun.objects.get_or_create(day=day, defaults={"status": PENDING})
    except IntegrityError:
        pass  # another run made the row first: the update below decides
    free = Q(status__in=[PENDING, FAILED]) | Q(status=CLAIMED, claimed_at__lt=now - CLAIM_EXPIRES)
    if force:
        free |= Q(status=DONE)
    return bool(
        DailyRun.objects.filter(free, day=day).update(status=CLAIMED, claimed_at=now, error="")
    )


def run_day(day: date, *, today: date, last: bool) -> dict[str, int]:
    """Every daily job as of `day` (today's reminders use each agency's own today)."""
    as_of = None if day == today else day
    result: dict[str, int] = {"contracts expired": contracts_expire_due(today=day)}
    result |= daily_run(as_of=as_of)
    if last:
        result["risk assessments"] = recompute(as_of=day)
        sent = mail.retry()
        result["emails sent again"] = sent.sent
        result["stopped jobs marked failed"] = jobs.recover_stale()
        pruned = jobs.prune()
        result["old job files deleted"] = pruned.files
        result["old task results deleted"] = pruned.task_results
    return result


def daily(
    *, today: date | None = None, force: bool = False, catch_up: int = CATCH_UP_DAYS
) -> list[tuple[date, dict[str, Any] | None]]:
    """Run the daily jobs of every day due up to `today` that this run can claim. Returns, per
    day, its counts (None: another run has it, or had it). With `force`, today runs again."""
    today = today or timezone.localdate()
    days = days_due(today=today, catch_up=catch_up)
    if force and today not in days:
        days.append(today)
    done: list[tuple[date, dict[str, Any] | None]] = []
    for day in days:
        if not claim(day, force=force):
            done.append((day, None))
            continue
        try:
            result = run_day(day, today=today, last=day == days[-1])
        except Exception as exc:
            logger.exception("The daily jobs of %s failed", day)
            DailyRun.objects.filter(day=day).update(
                status=FAILED, error=f"{type(exc).__name__}: {exc}"[:4000]
            )
            raise
        DailyRun.objects.filter(day=day).update(
            status=DONE, finished_at=timezone.now(), result=result
        )
        done.append((day, result))
    return done
