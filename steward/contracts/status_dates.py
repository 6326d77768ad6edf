"""Which dates make sense for a contract's status changes, and whether a closed contract may
be reopened: plain values in, the problems (keyed by field, in words) out. An empty dict means
the change may go ahead. The services call these, so the pages, the API and the command line
refuse the same things.

- An event is not recorded before it happened: an execution, completion or termination dated
  after the agency's today is refused.
- Work is not completed after the contract ended: a completion after the end date is refused
  unless an extension moved the end date (extensions and renewals are amendments that change
  the contract's end date, so the end date passed in already includes them).
- Nothing ends before it began: completion before the start; termination before execution.
- A completed or terminated contract is reopened only with a reason (it is kept in the audit
  trail); an expired one is revived by a renewal or extension instead, and a running one has
  nothing to reopen.
"""

from __future__ import annotations

from datetime import date

Problems = dict[str, list[str]]

#: statuses a person may reopen (back to active) when they were recorded by mistake
REOPENABLE = ("completed", "terminated")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _not_future(problems: Problems, field: str, on: date, today: date, what: str) -> None:
    if on > today:
        problems.setdefault(field, []).append(
            f"The {what} date ({_long(on)}) is in the future; record it on or after the day "
            "it happens."
        )


def execution_problems(*, executed_on: date, today: date) -> Problems:
    """Problems with executing (signing) a contract on `executed_on`."""
    problems: Problems = {}
    _not_future(problems, "executed_on", executed_on, today, "signing")
    return problems


def completion_problems(
    *, completed_on: date, start_date: date, end_date: date, today: date
) -> Problems:
    """Problems with recording the contract's work completed on `completed_on`; `end_date` is
    the end as amended (so an extension has already moved it)."""
    problems: Problems = {}
    if completed_on < start_date:
        problems.setdefault("completed_on", []).append(
            f"The completion date cannot be before the contract's start ({_long(start_date)})."
        )
    if completed_on > end_date:
        problems.setdefault("completed_on", []).append(
            f"The completion date is after the contract's end date ({_long(end_date)}). If the "
            "work ran on, record an extension (an amendment) first."
        )
    _not_future(problems, "completed_on", completed_on, today, "completion")
    return problems


def termination_problems(
    *, terminated_on: date, executed_on: date | None, reason: str, today: date
) -> Problems:
    """Problems with terminating the contract early on `terminated_on` for `reason`."""
    problems: Problems = {}
    if not reason.strip():
        problems["reason"] = ["Give the reason for terminating."]
    if executed_on is not None and terminated_on < executed_on:
        problems.setdefault("terminated_on", []).append(
            f"The termination date cannot be before the contract was signed ({_long(executed_on)})."
        )
    _not_future(problems, "terminated_on", terminated_on, today, "termination")
    return problems


def reopen_problems(*, status: str, reason: str) -> Problems:
    """Problems with reopening a contract of `status` for `reason`."""
    problems: Problems = {}
    if status not in REOPENABLE:
        problems["__all__"] = [
            "Only a completed or terminated contract can be reopened."
            + (
                " An expired contract runs again when a renewal or extension moves its end date."
                if status == "expired"
                else ""
            )
        ]
    if not reason.strip():
        problems["reason"] = ["Give the reason for reopening (it is kept in the history)."]
    return problems


def message(problems: Problems) -> str:
    """The problems as one sentence-list, for the error's message."""
    return " ".join(m for msgs in problems.values() for m in msgs)
