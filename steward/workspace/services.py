"""The daily run: what `steward send-reminders` does each day, in order, across every area."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from steward.contracts.services_due_dates import due_reminders_send, windows_lapse
from steward.evaluations.services import evaluations_finalise_due_open, interim_due_open
from steward.monitoring.services import (
    commissioning_reports_open,
    cycles_close_due,
    next_cycles_open,
)


def daily_run(*, as_of: date | None = None) -> dict[str, int]:
    """Run the day's jobs as of `as_of` (default: today; the reminders use each agency's own
    today in its time zone). In order: windows that closed unused lapse; the due dates that
    fall due by date are opened (evaluations to finalise once their comment window closed,
    interim evaluations, the reports to the commissioning body once a half-year ended, the
    next monitoring cycle of each live contract that has none);
    monitoring cycles whose appeal window passed close; then the reminders go out, so that
    nothing already met or lapsed is reminded. Idempotent: running it twice on a day sends
    nothing twice. Returns counts."""
    day = as_of or timezone.localdate()
    lapsed = windows_lapse(as_of=day)
    finalise = evaluations_finalise_due_open(as_of=as_of)
    interim = interim_due_open(as_of=day)
    reports = commissioning_reports_open(as_of=as_of)
    closed = cycles_close_due(today=day)
    cycles = next_cycles_open(as_of=day)
    sent = due_reminders_send(as_of=as_of)
    return {
        "windows lapsed": lapsed,
        "evaluations to finalise opened": finalise,
        "interim evaluations opened": interim,
        "reports to the commissioning body opened": reports,
        "monitoring cycles closed": closed,
        "next monitoring cycles opened": cycles,
        "reminders": sent["reminders"],
        "emails": sent["emails"],
    }
