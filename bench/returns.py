#!/usr/bin/env python
"""Benchmark of provider returns: import speed, then the performance pages at scale.

    .venv/bin/python bench/returns.py [--contracts 10000] [--indicators 5] [--periods 20]
                                      [--database-url URL] [--database-name NAME]
                                      [--requests 20] [--json]

It never touches your own database: SQLite at var/bench-returns.sqlite3, or the database
`steward_bench_perf_returns` (or --database-name, so that two benches can run on one server at
once; the raw-COPY reference then uses NAME_pg_limit) on the PostgreSQL server of
--database-url / $DATABASE_URL, recreated on every run. It creates, set-based, the contracts
(quarterly, five years), their indicators and their returns (contracts x periods), writes a CSV
of contracts x indicators x periods indicator values (1,000,000 with the defaults) to var/, and
imports it with
`steward.performance.importing.import_returns`: values per second and the growth of the peak
resident set (ru_maxrss). Then, logged in as a contract manager with django.test.Client, it
times the performance page of one contract (20 periods of 5 indicators, with charts) and the
portfolio summary over every contract (first page, 50 rows), R times after 3 warm-ups: median,
p95 and SQL queries per request.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from register import measure  # noqa: E402  (the page timing shared with bench/register.py)

DATABASE = "steward_bench_perf_returns"
START = date(2022, 1, 1)
TODAY = date(2026, 11, 25)
INDICATORS = (
    # name, category, question, unit, direction, target, tolerance
    ("Hours of support delivered", "output", "how_much", "count", "higher", "1200", "100"),
    ("Engaged within 10 days", "quality", "how_well", "percentage", "higher", "90", "5"),
    ("Days to first visit", "quality", "how_well", "days", "lower", "10", "2"),
    ("Improved stability", "outcome", "better_off", "percentage", "higher", "70", "10"),
    ("Staff hours funded", "input", "how_much", "count", "higher", "1500", "150"),
    ("Referrals accepted", "output", "how_much", "count", "higher", "40", "5"),
)


def database_url(explicit: str | None, name: str = DATABASE) -> str:
    source = explicit or os.environ.get("DATABASE_URL", "")
    if not source or source.startswith("sqlite"):
        path = ROOT / "var" / "bench-returns.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parts = urlsplit(source)
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n: int, k: int, periods: int) -> tuple[float, list[tuple[str, list[str]]]]:
    """Contracts, indicators and returns, set-based; returns (seconds, [(number, names)])."""
    from django.db import transaction

    from steward.contracts.models import Contract
    from steward.core.bulk import insert
    from steward.core.deadlines import add_months
    from steward.parties.models import Agency, Provider, User
    from steward.performance import calc
    from steward.performance.models import Indicator, Plan, Return

    started = time.perf_counter()
    agency = Agency.objects.get(slug="bench")
    end = add_months(START, 3 * periods) - timedelta(days=1)
    with transaction.atomic():
        providers = [
            Provider(
                legal_name=f"Bench Provider {p}",
                slug=f"bench-provider-{p}",
                normalised_name=f"bench provider {p}",
            )
            for p in range(max(1, n // 20))
        ]
        insert(Provider, providers)
        contracts = [
            Contract(
                agency=agency,
                provider_id=providers[i % len(providers)].pk,
                number=f"BENCH-{i:06d}",
                title=f"Family support, lot {i}",
                contract_type="pos",
                start_date=START,
                end_date=end,
                maximum_obligation=Decimal("500000.00"),
                currency="USD",
                compensation_structure="unit_rate",
                procurement_method="tendered",
                status="active",
                executed_on=START,
            )
            for i in range(n)
        ]
        insert(Contract, contracts)
        spans = calc.periods(START, end, "quarterly")
        for start in range(0, n, 2000):
            chunk = contracts[start : start + 2000]
            insert(
                Plan,
                [
                    Plan(contract_id=c.pk, desired_outcomes="Families are more stable.")
                    for c in chunk
                ],
            )
            insert(
                Indicator,
                [
                    Indicator(
                        contract_id=c.pk,
                        name=name,
                        category=cat,
                        question=q,
                        unit=unit,
                        direction=direction,
                        frequency="quarterly",
                        target=Decimal(target),
                        tolerance=Decimal(tol),
                        payment_weight=Decimal("0"),
                    )
                    for c in chunk
                    for name, cat, q, unit, direction, target, tol in INDICATORS[:k]
                ],
            )
            insert(
                Return,
                [
                    Return(
                        contract_id=c.pk,
                        period_start=a,
                        period_end=b,
                        due_on=b + timedelta(days=28),
                    )
                    for c in chunk
                    for a, b in spans
                ],
            )
        manager = User(username="manager", role="contract_manager", agency=agency)
        manager.set_unusable_password()
        manager.save()
    names = [row[0] for row in INDICATORS[:k]]
    return time.perf_counter() - started, [(c.number, names) for c in contracts]


def write_csv(path: Path, rows: list[tuple[str, list[str]]], periods: int) -> int:
    """One row per contract x indicator x period; values spread around the targets."""
    from steward.core.deadlines import add_months

    starts = [add_months(START, 3 * p).isoformat() for p in range(periods)]
    targets = [Decimal(row[5]) for row in INDICATORS]
    written = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Contract", "Period start", "Indicator", "Value"])
        for i, (number, names) in enumerate(rows):
            for p, start in enumerate(starts):
                for j, name in enumerate(names):
                    factor = 80 + (i * 7 + p * 3 + j * 11) % 35  # 80% to 114% of the target
                    value = (
                        min(targets[j] * factor / 100, Decimal(100))
                        if j in (1, 3)
                        else targets[j] * factor / 100
                    )
                    writer.writerow([number, start, name, f"{value:.2f}"])
                    written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=5, choices=range(1, len(INDICATORS) + 1))
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--database-name", default=DATABASE)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = database_url(args.database_url, args.database_name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ.setdefault("STEWARD_LOG_LEVEL", "ERROR")
    # the bench signs in with force_login: no authenticator app to confirm a code with
    os.environ["STEWARD_TWO_FACTOR_REQUIRED"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from steward.core.services import policy_packs_load_shipped
    from steward.parties.models import Agency, AgencyKind, User
    from steward.performance.importing import import_returns

    setup_test_environment()  # the test client's host, no e-mail sent
    call_command("migrate", verbosity=0)
    packs = {p.slug: p for p in policy_packs_load_shipped()}
    agency = Agency.objects.create(
        name="Bench Department",
        slug="bench",
        kind=AgencyKind.STATE_AGENCY,
        pack=packs["connecticut-opm"],
    )
    generated, rows = generate(args.contracts, args.indicators, args.periods)
    (ROOT / "var").mkdir(exist_ok=True)
    path = ROOT / "var" / f"bench-returns-{args.contracts}.csv"
    values = write_csv(path, rows, args.periods)
    results: dict[str, object] = {
        "database": connection.vendor,
        "contracts": args.contracts,
        "values": values,
        "file_mib": round(path.stat().st_size / 1024 / 1024, 1),
        "generate_seconds": round(generated, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "baseline_maxrss_mib": round(maxrss_mib(), 1),
    }
    started, cpu_started = time.perf_counter(), time.process_time()
    with path.open("rb") as stream:
        report = import_returns(
            actor=None, agency=agency, stream=stream, filename=path.name, today=TODAY
        )
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    if not report.ok:
        print([str(e) for e in report.errors[:5]], file=sys.stderr)
        return 1
    results["import_seconds"] = round(seconds, 1)
    # This process's own CPU time: the part of the import that is Python (parsing, checking,
    # formatting for COPY); the rest is waiting for the database.
    results["import_client_cpu_seconds"] = round(cpu_seconds, 1)
    results["import_values_per_second"] = round(values / seconds)
    results["returns_submitted"] = report.returns_submitted
    results["import_memory_growth_mib"] = round(maxrss_mib() - results["baseline_maxrss_mib"], 1)  # type: ignore[operator]
    path.unlink()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; without it the planner guesses.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from steward.contracts.models import Contract

    client = Client()
    client.force_login(User.objects.get(username="manager"))
    middle = Contract.objects.get(number=f"BENCH-{args.contracts // 2:06d}")

    def get(url: str):  # type: ignore[no-untyped-def]
        def call() -> str:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"bench: GET {url} returned {response.status_code}")
            return f"{len(response.content) // 1024} KiB"

        return call

    pages = [
        measure(
            "contract performance page",
            "manager",
            get(f"/performance/contracts/{middle.pk}/"),
            args.requests,
        ),
        measure("portfolio summary (page 1)", "manager", get("/performance/"), args.requests),
        measure(
            "portfolio summary (last page)",
            "manager",
            get(f"/performance/?page={args.contracts // 50}"),
            args.requests,
        ),
        measure(
            "performance API summary",
            "manager",
            get(f"/api/v1/performance/contracts/{middle.pk}"),
            args.requests,
        ),
    ]
    results["pages"] = pages
    from pg_reference import SCRATCH_DB, raw_postgres_reference

    scratch = SCRATCH_DB if args.database_name == DATABASE else f"{args.database_name}_pg_limit"
    reference = raw_postgres_reference(os.environ["DATABASE_URL"], rows=100_000, scratch_db=scratch)
    results["raw_postgres"] = reference["line"]
    if "copy_rows_per_s" in reference:
        results["raw_copy_rows_per_second"] = round(reference["copy_rows_per_s"])
        results["import_vs_raw_copy"] = (
            f"{results['import_values_per_second'] / reference['copy_rows_per_s']:.1%} of raw COPY"  # type: ignore[operator]
        )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            if key != "pages":
                print(f"{key:>28}: {value}")
        for p in pages:
            print(
                f"{p['case']:>32}: median {p['median_ms']} ms, p95 {p['p95_ms']} ms, "
                f"{p['queries']} queries, {p['detail']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
