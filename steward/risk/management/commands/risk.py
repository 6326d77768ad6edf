"""`steward risk recompute [--as-of DATE]`: the spelling the issue uses for risk_recompute."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from steward.risk.management.commands.risk_recompute import Command as Recompute


class Command(Recompute):
    help = "Risk commands. `recompute`: assess every executed or active contract (seed 003)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["recompute"])
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
