"""Writes docs/deadlines.md from the registry of due date kinds, so the document cannot drift
from the code: `python -m steward.contracts.deadlines_doc > docs/deadlines.md` (a test checks
it is current). Pure Python: no Django."""

from __future__ import annotations

from steward.contracts.due_kinds import KINDS, Nature, Owner

INTRO = """# Deadlines

Every deadline Steward keeps is a due date of one of the kinds below, declared once in
`steward/contracts/due_kinds.py`. The services that create a kind open its due date (through
`steward/contracts/services_due_dates.py`), the record that fulfils it closes it in the same
transaction and is linked from it, and the daily job (`steward send-reminders`) reminds the
people who must act. A person's work list (the home page, `GET /api/v1/me/work`), the calendar
and its iCalendar feed show the same open due dates.

- **Dates** come from the agency's policy pack (the rule named below, in working or calendar
  days on the pack's calendar: see [policy packs](policy-packs.md)), or are set by the record
  that creates the due date (a meeting's date, an action's).
- **"Today"** is the agency's own: each pack carries its time zone, and a due date turns
  overdue when the day ends there.
- **Windows** (to appeal, to comment, to ask for a debriefing) may be left unused: they are
  reminded before they close, lapse unused at their end, and are never missed deadlines.
  Obligations left open after their date are overdue, reminded the day after, and listed in
  the report by exception.
- **Not needed**: agency staff who act on a kind may mark one of its due dates not needed, with
  a reason, and reopen it with a reason; both are kept in its history.
- **Reminders** go out by email, with a link to the page where the person acts, on the days
  listed (days before the due date; 0 is the day itself, −1 the day after it was missed), once
  each.

This page is generated from the registry by `python -m steward.contracts.deadlines_doc`.
"""

OWNERS = {
    Owner.PROVIDER: "the provider's users",
    Owner.AGENCY: "agency staff: {roles}",
    Owner.ASSIGNEE: "the person named on it; else agency staff: {roles}",
    Owner.OVERSIGHT: "oversight officers",
}


def _roles(roles: tuple[str, ...]) -> str:
    words = [r.replace("_", " ") for r in roles]
    words = [
        w + (" (the contract's own, where it names one)" if w == "contract manager" else "")
        for w in words
    ]
    return ", ".join(words)


def _reminders(offsets: tuple[int, ...]) -> str:
    return ", ".join(str(o) if o <= 0 else f"{o} before" for o in offsets)


def render() -> str:
    """Return the Markdown of docs/deadlines.md."""
    lines = [INTRO, "## The kinds", ""]
    lines += [
        "| kind | what the person does | date from | who must act | created when | met by |"
        " cancelled when | reminders (days) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS.values():
        rule = f"pack rule `{kind.rule}`" if kind.rule else "the record"
        nature = " (a window)" if kind.nature == Nature.WINDOW else ""
        level = "" if kind.contract_bound else " (agency-level)"
        cells = [
            f"`{kind.key}`{level}",
            kind.todo.format(contract="a contract", agency="the agency") + nature,
            f"{rule}; {kind.source}",
            OWNERS[kind.owner].format(roles=_roles(kind.roles)),
            kind.created_by,
            kind.met_by,
            kind.cancelled_by,
            _reminders(kind.reminders),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
