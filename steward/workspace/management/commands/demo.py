"""`steward demo [--as-of YYYY-MM-DD] [--reset]`: load the demo data and print the logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.core.commands import add_as_of_argument
from steward.core.errors import ApplicationError
from steward.workspace.demo import DEMO_PASSWORD, DemoLogin, DemoStateError, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo data (five agencies, one on each shipped policy pack, providers, about "
        "forty contracts and one login per role) unless it is already there, then print the "
        "demo logins. For trying Steward out: the demo password is public."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of_argument(
            parser,
            help="Build the contract dates relative to this date (YYYY-MM-DD; default: today).",
            old_spelling=True,
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo data (and anything attached to it) and load it again.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even though STEWARD_ENV=production (its password is public).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Refusing to load the demo data in production: its logins share a published "
                "password. Pass --allow-production if this really is a demonstration site."
            )
        today = options["as_of"] or timezone.localdate()
        started = time.monotonic()
        verbose = options["verbosity"] >= 1

        def progress(step: str) -> None:
            if verbose:
                elapsed = time.monotonic() - started
                self.stdout.write(f"  [{elapsed:5.1f} s] {step}")
                self.stdout.flush()

        if verbose:
            self.stdout.write("Loading the demo data (a minute or two the first time):")
        try:
            result = demo_load(today=today, reset=options["reset"], progress=progress)
        except (DemoStateError, ApplicationError) as exc:
            raise CommandError(str(exc)) from exc

        if result.deleted:
            total = sum(result.deleted.values())
            self.stdout.write(f"Deleted the demo data ({total} records).")
        if result.loaded:
            summary = ", ".join(f"{n} {what}" for what, n in result.counts.items())
            took = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo data as of {today:%Y-%m-%d} in {took:.0f} s: {summary}."
                )
            )
        else:
            self.stdout.write("The demo data is already loaded; nothing changed.")
        self.stdout.write("")
        self.stdout.write(format_logins(result.logins))
        self.stdout.write("")
        self.stdout.write(
            f"Every demo login uses the password: {DEMO_PASSWORD}\n"
            "(demo only: never load the demo on a site that holds real records)"
        )


def format_logins(logins: list[DemoLogin]) -> str:
    """Return the demo logins as a plain-text table."""
    rows = [
        ("Username", "Role", "Organisation"),
        *((x.username, x.role, x.organisation) for x in logins),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
