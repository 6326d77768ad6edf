"""`steward risk_recompute [--as-of DATE]`: assess every live contract, set-based (seed 003)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from steward.risk.services import recompute


class Command(BaseCommand):
    help = "Recompute the red/amber/green risk rating of every executed or active contract."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="Assess as of this date (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options.get("as_of")
        try:
            as_of = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--as-of: give the date as YYYY-MM-DD, e.g. 2026-06-30.") from exc
        started = time.perf_counter()
        made = recompute(as_of=as_of)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{made} assessments made as of {as_of} in {seconds:.1f} s.")
