"""`steward letters results [--year YYYY] [--agency SLUG] [--provider ID] [--status open|closed]
[--as USERNAME] -o FILE`: the results letters (seed 002 stage 7) the filters find, in one PDF,
as the "Download these letters" job makes it (`steward.monitoring.jobs`), with a progress bar
on a terminal.

Run by whoever runs Steward: every letter sent, unless `--as USERNAME` asks for the letters
that person may read (refused as the page would refuse them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.commands import count_progress
from steward.core.errors import ApplicationError
from steward.monitoring import selectors
from steward.monitoring.jobs import MAX_LETTERS, batch_cycles, results_letters_pdf
from steward.monitoring.models import CycleStatus
from steward.parties.models import Agency, Provider, User


class Command(BaseCommand):
    help = "Letters. `results`: the results letters of a monitoring round in one PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        results = sub.add_parser(
            "results",
            help="The results letters sent (stage 7) that the filters find, in one PDF, each "
            "letter on new pages.",
        )
        results.add_argument("--year", type=int, help="The monitoring year.")
        results.add_argument("--agency", metavar="SLUG", help="Only this agency's letters.")
        results.add_argument("--provider", type=int, metavar="ID", help="Only this provider's.")
        results.add_argument("--status", choices=CycleStatus.values, help="The cycles' status.")
        results.add_argument(
            "--as", dest="username", metavar="USERNAME", help="Only the letters they may read."
        )
        results.add_argument("-o", "--output", type=Path, required=True, help="The PDF to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = provider = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency {options['agency']!r}.")
        if options["provider"] is not None:
            provider = Provider.objects.filter(pk=options["provider"]).first()
            if provider is None:
                raise CommandError(f"No provider {options['provider']}.")
        filters = {
            "year": options["year"],
            "agency": agency,
            "provider": provider,
            "status": options["status"] or "",
        }
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"No user {options['username']!r}.")
            try:
                cycles = batch_cycles(actor=actor, **filters)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
        else:
            cycles = list(
                selectors.results_letters(
                    actor=None,
                    year=filters["year"],
                    agency_id=agency.pk if agency else None,
                    provider_id=provider.pk if provider else None,
                    status=filters["status"],
                )
            )
            if not cycles:
                raise CommandError("No results letter has been sent for these cycles yet.")
            if len(cycles) > MAX_LETTERS:
                raise CommandError(
                    f"These are {len(cycles)} letters, more than the {MAX_LETTERS} one file "
                    "holds: give --year and --agency."
                )
        # the letters' actions and judgements, two queries for the batch
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(cycles, "actions", "judgements")
        with count_progress(len(cycles), label="Drawing", unit="letters") as progress:
            pdf, pages = results_letters_pdf(cycles, progress=progress)
        options["output"].write_bytes(pdf)
        n = len(cycles)
        self.stdout.write(
            f"{n} results letter{'s' if n != 1 else ''}, {pages} pages: {options['output']}."
        )
