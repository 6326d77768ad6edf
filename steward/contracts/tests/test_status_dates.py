"""The dates a contract's status changes accept, and when a closed contract may be reopened
(issue 21): plain rules, no database."""

from __future__ import annotations

from datetime import date

import pytest

from steward.contracts import status_dates as rules

START, END, TODAY = date(2026, 2, 1), date(2027, 1, 31), date(2027, 6, 1)


def test_completion_on_the_end_date_is_accepted():
    assert (
        rules.completion_problems(completed_on=END, start_date=START, end_date=END, today=TODAY)
        == {}
    )


def test_completion_after_the_end_date_is_refused_unless_extended():
    """Issue 21: 1 May 2027 was accepted for a contract ending 31 January 2027; an extension
    (an amendment) moves the end date, and then the same day is accepted."""
    problems = rules.completion_problems(
        completed_on=date(2027, 5, 1), start_date=START, end_date=END, today=TODAY
    )
    assert "after the contract's end date (31 January 2027)" in problems["completed_on"][0]
    assert "extension" in problems["completed_on"][0]
    extended = date(2027, 7, 31)
    assert (
        rules.completion_problems(
            completed_on=date(2027, 5, 1), start_date=START, end_date=extended, today=TODAY
        )
        == {}
    )


def test_completion_before_the_start_is_refused():
    problems = rules.completion_problems(
        completed_on=date(2026, 1, 31), start_date=START, end_date=END, today=TODAY
    )
    assert "before the contract's start" in problems["completed_on"][0]


@pytest.mark.parametrize(
    ("check", "kwargs", "field"),
    [
        (rules.execution_problems, {"executed_on": date(2027, 6, 2)}, "executed_on"),
        (
            rules.completion_problems,
            {"completed_on": date(2027, 6, 2), "start_date": START, "end_date": date(2027, 12, 31)},
            "completed_on",
        ),
        (
            rules.termination_problems,
            {"terminated_on": date(2027, 6, 2), "executed_on": START, "reason": "Closed"},
            "terminated_on",
        ),
    ],
)
def test_events_dated_after_today_are_refused(check, kwargs, field):
    assert "in the future" in check(today=TODAY, **kwargs)[field][0]
    one_day_earlier = {k: (v.replace(day=1) if k == field else v) for k, v in kwargs.items()}
    assert check(today=TODAY, **one_day_earlier) == {}


def test_termination_needs_a_reason_and_not_before_the_signing():
    problems = rules.termination_problems(
        terminated_on=date(2026, 1, 15), executed_on=START, reason=" ", today=TODAY
    )
    assert problems["reason"] == ["Give the reason for terminating."]
    assert "before the contract was signed (1 February 2026)" in problems["terminated_on"][0]


@pytest.mark.parametrize("status", ["completed", "terminated"])
def test_a_completed_or_terminated_contract_may_be_reopened_with_a_reason(status):
    assert rules.reopen_problems(status=status, reason="Closed the wrong contract") == {}
    assert "reason" in rules.reopen_problems(status=status, reason="  ")


@pytest.mark.parametrize("status", ["draft", "executed", "active", "expired"])
def test_other_statuses_are_not_reopened(status):
    problems = rules.reopen_problems(status=status, reason="Because")
    assert problems["__all__"][0].startswith("Only a completed or terminated contract")
    if status == "expired":
        assert "renewal or extension" in problems["__all__"][0]
