#!/usr/bin/env python
"""Benchmark of the contract register import: rows per second and peak memory.

    .venv/bin/python bench/import.py [--rows 100000] [--format native|us-open-data]
                                     [--database-url URL] [--database-name NAME] [--json]

It never touches your own database: SQLite at var/bench-import.sqlite3, or the database
`steward_bench_import` (or --database-name, so that two people can run it on one server at
once) on the PostgreSQL server of --database-url / $DATABASE_URL, recreated on every run; the
raw-PostgreSQL reference then uses a scratch database named after it. It writes a generated
CSV of N rows (about N/20 providers; every contract field of the native template, or the
columns of a US open-data list with one renewal item for one contract in ten) to var/,
migrates, loads the policy packs and one agency, then imports the file twice with
`steward.contracts.importing.import_contracts`: a first import that creates every contract,
and a re-import of the same file that finds every contract unchanged.

Memory: the process's peak resident set size (ru_maxrss) before the first import and after
each import; the growth is what the import itself needed. Run it at two sizes to see whether
memory grows with the file (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "steward_bench_import"


def database_url(explicit: str | None, name: str = DATABASE) -> str:
    source = explicit or os.environ.get("DATABASE_URL", "")
    if not source or source.startswith("sqlite"):
        path = ROOT / "var" / "bench-import.sqlite3"
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


def write_native(path: Path, rows: int, rng: random.Random) -> None:
    from steward.contracts.exporting import HEADERS

    providers = max(1, rows // 20)
    start = date(2025, 7, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([h.replace("_", " ").title() for h in HEADERS])
        for n in range(rows):
            p = rng.randrange(providers)
            begins = start + timedelta(days=rng.randrange(0, 730))
            ends = begins + timedelta(days=rng.choice((364, 729, 1094)))
            values = {
                "number": f"BENCH-{n:07d}",
                "title": f"Family support services, lot {n}",
                "description": "Generated for the import benchmark",
                "provider": f"Bench Provider {p}, Inc.",
                "provider_tax_id": f"99-{p:07d}",
                "provider_company_number": "",
                "provider_charity_number": "",
                "provider_for_profit": "no",
                "department": rng.choice(("Child welfare", "Behavioral health", "Housing")),
                "contract_type": rng.choice(("pos", "psa", "Purchase of service (POS)")),
                "service_type": "Family support",
                "object_code": "MM3",
                "sponsor": "Deputy Commissioner",
                "start_date": begins.strftime("%m/%d/%Y") if n % 2 else begins.isoformat(),
                "end_date": ends.isoformat(),
                "renewal_options": "2",
                "renewals_exercised": "0",
                "renewal_terms": "Two one-year renewals",
                "maximum_obligation": f"${rng.randrange(10_000, 5_000_000):,}.00",
                "currency": "USD",
                "payments_to_date": f"{rng.randrange(0, 10_000):,}.50",
                "compensation_structure": "unit_rate",
                "rate_setting": "no",
                "rate_setting_authority": "",
                "procurement_method": "tendered",
                "authority_category": "",
                "status": "",
                "executed_on": "",
                "completed_on": "",
                "terminated_on": "",
                "termination_reason": "",
                "notes": "",
            }
            writer.writerow([values[h] for h in HEADERS])


def write_us(path: Path, rows: int, rng: random.Random) -> None:
    providers = max(1, rows // 20)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "original_contract_id",
                "current_item_id",
                "department_name",
                "vendor",
                "contract_structure_type",
                "short_desc",
                "start_dt",
                "end_dt",
                "amt",
                "tot_payments",
                "adv_or_exempt",
                "profit_status",
            ]
        )
        n = 0
        contract = 0
        while n < rows:
            number = f"{1900000 + contract}"
            p = rng.randrange(providers)
            items = 2 if contract % 10 == 0 and n + 1 < rows else 1
            for i in range(items):
                begins = date(2018 + i, 7, 1)
                writer.writerow(
                    [
                        number,
                        number if i == 0 else f"{number}{i:02d}",
                        "HUMAN SERVICES",
                        f"Bench Vendor {p} LLC",
                        "Human Services Department",
                        "Placement services",
                        f"{begins.month}/{begins.day}/{begins.year}",
                        f"6/30/{begins.year + 1}",
                        f"{rng.randrange(0, 900_000):,}.00",
                        "0",
                        "ADVERTISED",
                        "Non Profit",
                    ]
                )
                n += 1
            contract += 1


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("native", "us-open-data"), default="native")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--database-name",
        default=DATABASE,
        help=f"the PostgreSQL database to recreate and use (default {DATABASE})",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    url = database_url(args.database_url, args.database_name)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ.setdefault("STEWARD_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from steward.contracts.importing import import_contracts
    from steward.core.services import policy_packs_load_shipped
    from steward.parties.models import Agency, AgencyKind

    call_command("migrate", verbosity=0)
    packs = {p.slug: p for p in policy_packs_load_shipped()}
    agency = Agency.objects.create(
        name="Bench Department",
        slug="bench",
        kind=AgencyKind.STATE_AGENCY,
        pack=packs["connecticut-opm"],
    )
    (ROOT / "var").mkdir(exist_ok=True)
    path = ROOT / "var" / f"bench-import-{args.format}-{args.rows}.csv"
    writer = write_native if args.format == "native" else write_us
    writer(path, args.rows, random.Random(2026))
    size_mib = path.stat().st_size / 1024 / 1024

    results = {
        "database": connection.vendor,
        "format": args.format,
        "rows": args.rows,
        "file_mib": round(size_mib, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "baseline_maxrss_mib": round(maxrss_mib(), 1),
    }
    for run in ("first", "again"):
        started = time.perf_counter()
        with path.open("rb") as stream:
            report = import_contracts(
                actor=None,
                agency=agency,
                stream=stream,
                filename=path.name,
                fmt=args.format,
                today=date(2026, 11, 25),
            )
        seconds = time.perf_counter() - started
        if not report.ok:
            print(report.errors[:5], file=sys.stderr)
            return 1
        results[f"{run}_seconds"] = round(seconds, 2)
        results[f"{run}_rows_per_second"] = round(report.rows_read / seconds)
        results[f"{run}_created"] = report.created
        results[f"{run}_unchanged"] = report.unchanged
        results[f"{run}_maxrss_mib"] = round(maxrss_mib(), 1)
    results["import_memory_growth_mib"] = round(
        results["again_maxrss_mib"] - results["baseline_maxrss_mib"], 1
    )
    path.unlink()
    from pg_reference import SCRATCH_DB, raw_postgres_reference

    scratch = SCRATCH_DB if args.database_name == DATABASE else f"{args.database_name}_pg_limit"
    reference = raw_postgres_reference(url, rows=args.rows, scratch_db=scratch)
    results["raw_postgres"] = reference["line"]
    if "copy_rows_per_s" in reference:
        results["raw_copy_rows_per_second"] = round(reference["copy_rows_per_s"])
        results["first_import_vs_raw_copy"] = (
            f"{results['first_rows_per_second'] / reference['copy_rows_per_s']:.1%} of raw COPY"
        )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>28}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
