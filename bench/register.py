#!/usr/bin/env python
"""Benchmark of the contract register at scale: pages, the expiring-contracts query and the API.

    .venv/bin/python bench/register.py [--contracts 10000] [--requests 30] [--json]
                                       [--database-url URL] [--regenerate]

It never touches your own database. With SQLite (the default) it uses var/bench.sqlite3; with
PostgreSQL (--database-url, or DATABASE_URL) it uses the database `steward_bench` on that
server, creating it if needed. It migrates that database, loads the demo data (packs, the five
agencies, the demo logins) and generates N contracts set-based (bulk_create in batches of 5000)
with about N/20 providers; a database that already holds N bench contracts is reused.

Then, with django.test.Client (a contract manager and an oversight officer logged in), it
times each case R times after 3 warm-ups and reports the median and p95 in milliseconds and
the number of SQL queries per request. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PG_DATABASE = "steward_bench"
BATCH = 5000
WARMUPS = 3


# ---------------------------------------------------------------------------- database choice


def bench_database_url(explicit: str | None) -> str:
    """Return the URL of the bench database: SQLite var/bench.sqlite3, or database
    `steward_bench` on the PostgreSQL server of `explicit` / $DATABASE_URL."""
    source = explicit or os.environ.get("DATABASE_URL", "")
    if not source or source.startswith("sqlite"):
        return f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    parts = urlsplit(source)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"bench: unsupported database URL scheme {parts.scheme!r}")
    return urlunsplit(parts._replace(path=f"/{BENCH_PG_DATABASE}"))


def ensure_postgres_database(url: str, *, recreate: bool) -> None:
    """Create the bench database on the PostgreSQL server if it is missing (drop it first when
    `recreate`)."""
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_PG_DATABASE]
        ).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{BENCH_PG_DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_PG_DATABASE}"')


def prepare_database(url: str, *, recreate: bool) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.name == "steward.sqlite3":
            raise SystemExit("bench: refusing to use the development database")
        if recreate and path.exists():
            path.unlink()
    else:
        ensure_postgres_database(url, recreate=recreate)


# ---------------------------------------------------------------------------- data


TITLES = (
    "Intensive In-Home Child and Adolescent Psychiatric Services",
    "Supported Lodgings for Care Leavers",
    "After-School Tutoring (Title I)",
    "Therapeutic Foster Care",
    "Floating Support for Older People",
    "Multidimensional Family Therapy",
    "Respite Care for Disabled Children",
    "Adult Community Clinical Services",
    "Domestic Abuse Refuge Accommodation",
    "Residential Recovery Program",
    "Family Support Teams",
    "Homeless Outreach and Engagement",
)
PLACES = ("North", "South", "East", "West", "Central", "Metro", "Rural", "Coastal")
SERVICE_TYPES = (
    "Behavioral health",
    "Foster care",
    "Tutoring",
    "Supported housing",
    "Respite care",
    "Family support",
    "Outreach",
    "Residential",
)


def bench_contract_count() -> int:
    from steward.contracts.models import Contract

    return Contract.objects.filter(number__startswith="BENCH-").count()


def generate(n: int, today: date) -> float:
    """Create ~n/20 providers and n contracts set-based; return the seconds it took."""
    from django.db import transaction

    from steward.contracts.models import (
        AuthorityCategory,
        CompensationStructure,
        Contract,
        ContractStatus,
        ContractType,
        DueDate,
        DueDateStatus,
        ProcurementMethod,
    )
    from steward.parties.models import Agency, AgencyKind, Provider, User, normalise_name
    from steward.workspace.demo import MANAGER_OF, demo_load

    started = time.perf_counter()
    demo_load(today=today)
    rng = random.Random(20261123)
    agencies = list(
        Agency.objects.exclude(kind=AgencyKind.OVERSIGHT_BODY).select_related("pack").order_by("pk")
    )
    by_key = {
        "ct-dcf": "dcf",
        "milwaukee-public-schools": "mps",
        "west-london-sp": "wl",
        "highland-childrens-services": "scot",
        "ma-dmh": "dmh",
    }
    managers = {a.pk: User.objects.get(username=MANAGER_OF[by_key[a.slug]]) for a in agencies}
    currency = {a.pk: a.pack.parsed.currency for a in agencies}
    closeout_days = {a.pk: a.pack.parsed.deadline_rule("closeout_evaluation") for a in agencies}

    with transaction.atomic():
        n_providers = max(1, n // 20)
        providers = []
        for i in range(n_providers):
            name = f"{rng.choice(PLACES)} {rng.choice(SERVICE_TYPES)} Partners {i}"
            providers.append(
                Provider(
                    legal_name=name + (", Inc." if i % 3 else " LLC"),
                    normalised_name=normalise_name(name),
                    slug=f"bench-provider-{i}",
                    tax_id=f"{10 + i // 10_000_000}-{i % 10_000_000:07d}",
                    for_profit=i % 3 == 0,
                    city="Springfield",
                    country="US",
                )
            )
        Provider.objects.bulk_create(providers, batch_size=BATCH)
        provider_ids = list(
            Provider.objects.filter(slug__startswith="bench-provider-").values_list("pk", flat=True)
        )

        statuses = (
            [ContractStatus.DRAFT] * 5
            + [ContractStatus.EXECUTED] * 5
            + [ContractStatus.ACTIVE] * 50
            + [ContractStatus.COMPLETED] * 20
            + [ContractStatus.TERMINATED] * 5
            + [ContractStatus.EXPIRED] * 15
        )
        types = list(ContractType.values)
        comps = [c for c in CompensationStructure.values if c != "authorised_rate"]
        for offset in range(0, n, BATCH):
            batch = []
            for i in range(offset, min(n, offset + BATCH)):
                agency = agencies[i % len(agencies)]
                status = rng.choice(statuses)
                if status in (ContractStatus.DRAFT, ContractStatus.EXECUTED):
                    start = today + timedelta(days=rng.randint(10, 200))
                    end = start + timedelta(days=rng.randint(180, 1095))
                elif status == ContractStatus.ACTIVE:
                    end = today + timedelta(days=rng.randint(0, 1095))
                    start = end - timedelta(days=rng.randint(365, 1460))
                else:
                    end = today - timedelta(days=rng.randint(1, 1460))
                    start = end - timedelta(days=rng.randint(365, 1460))
                closed_on = end - timedelta(days=rng.randint(0, 200))
                closed_on = max(closed_on, start)
                batch.append(
                    Contract(
                        agency_id=agency.pk,
                        provider_id=rng.choice(provider_ids),
                        number=f"BENCH-{i:07d}",
                        title=f"{rng.choice(TITLES)}, {rng.choice(PLACES)} {i % 97}",
                        contract_type=rng.choice(types),
                        service_type=rng.choice(SERVICE_TYPES),
                        object_code="MM3" if agency.slug == "ma-dmh" else "",
                        sponsor="Program Division",
                        contract_manager_id=managers[agency.pk].pk,
                        start_date=start,
                        end_date=end,
                        maximum_obligation=Decimal(rng.randint(10_000, 5_000_000)),
                        currency=currency[agency.pk],
                        compensation_structure=rng.choice(comps),
                        procurement_method=ProcurementMethod.TENDERED,
                        authority_category=rng.choice(AuthorityCategory.values)
                        if agency.slug == "highland-childrens-services"
                        else "",
                        status=status,
                        executed_on=None
                        if status == ContractStatus.DRAFT
                        else start - timedelta(days=21),
                        completed_on=closed_on if status == ContractStatus.COMPLETED else None,
                        terminated_on=closed_on if status == ContractStatus.TERMINATED else None,
                        termination_reason="Provider withdrew from the service"
                        if status == ContractStatus.TERMINATED
                        else "",
                    )
                )
            created = Contract.objects.bulk_create(batch, batch_size=BATCH)
            dues = []
            for c in created:
                if c.status not in (
                    ContractStatus.COMPLETED,
                    ContractStatus.TERMINATED,
                    ContractStatus.EXPIRED,
                ):
                    continue
                rule = closeout_days[c.agency_id]
                begin = c.completed_on or c.terminated_on or c.end_date
                due = begin + timedelta(days=rule.days)
                dues.append(
                    DueDate(
                        kind="closeout_evaluation",
                        agency_id=c.agency_id,
                        contract_id=c.pk,
                        provider_id=c.provider_id,
                        rule_key=rule.key,
                        label=rule.label,
                        pack_slug="bench",
                        pack_version=1,
                        source=rule.source,
                        start_date=begin,
                        days=rule.days,
                        day_kind="calendar",
                        due_date=due,
                        # older evaluations were written; the last ~6 months are still open
                        status=DueDateStatus.OPEN
                        if begin > today - timedelta(days=180)
                        else DueDateStatus.DONE,
                        completed_on=None if begin > today - timedelta(days=180) else due,
                    )
                )
            DueDate.objects.bulk_create(dues, batch_size=BATCH)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------- measuring


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(name: str, who: str, call: Any, requests: int) -> dict[str, Any]:
    """Run `call` WARMUPS + `requests` times; return timings (ms) and queries per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        call()
    with CaptureQueriesContext(connection) as ctx:
        detail = call()
    # Count now: the next request resets connection.queries, which captured_queries reads.
    queries = len(ctx.captured_queries)
    timings = []
    for _ in range(requests):
        t0 = time.perf_counter()
        call()
        timings.append((time.perf_counter() - t0) * 1000)
    return {
        "case": name,
        "user": who,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "queries": queries,
        "detail": detail,
    }


def run_cases(requests: int, today: date) -> list[dict[str, Any]]:
    from django.test import Client

    from steward.contracts.selectors import expiring_contracts
    from steward.parties.models import User

    manager = User.objects.get(username="manager")
    oversight = User.objects.get(username="oversight")
    # the demo's oversight officer oversees Connecticut only; the bench's reads every agency
    # (the whole register), as an officer with no jurisdiction does
    User.objects.filter(pk=oversight.pk).update(jurisdiction="")
    oversight.refresh_from_db()
    clients = {}
    for user in (manager, oversight):
        client = Client()
        client.force_login(user)
        clients[user.username] = client

    def get(who: str, url: str, headers: dict[str, str] | None = None) -> Any:
        def call() -> str:
            response = clients[who].get(url, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"bench: GET {url} as {who} returned {response.status_code}")
            return f"{len(response.content) // 1024} KiB"

        return call

    def expiring(who: str, limit: int | None) -> Any:
        user = manager if who == "manager" else oversight

        def call() -> str:
            qs = expiring_contracts(actor=user, today=today)
            rows = list(qs[:limit] if limit else qs)
            return f"{len(rows)} rows"

        return call

    filtered = "/contracts/?status=active&sort=-maximum_obligation&page=3"
    # a common word (one contract in five matches), one contract's number, one provider's name
    search = "/contracts/?q=foster&sort=provider"
    by_number = "/contracts/?q=BENCH-0012345"
    by_provider = "/contracts/?q=Partners%204321"
    hx = {"HX-Request": "true"}
    cases = [
        ("register GET /contracts/", "manager", get("manager", "/contracts/")),
        ("register GET /contracts/", "oversight", get("oversight", "/contracts/")),
        (f"register GET {filtered}", "oversight", get("oversight", filtered)),
        (f"register GET {search}", "oversight", get("oversight", search)),
        (f"register GET {by_number}", "oversight", get("oversight", by_number)),
        (f"register GET {by_provider}", "oversight", get("oversight", by_provider)),
        # htmx requests get only the results table (no filter form): the query cost alone
        ("register GET /contracts/ (htmx results)", "manager", get("manager", "/contracts/", hx)),
        (
            "register GET /contracts/ (htmx results)",
            "oversight",
            get("oversight", "/contracts/", hx),
        ),
        (
            f"register GET {filtered} (htmx results)",
            "oversight",
            get("oversight", filtered, hx),
        ),
        ("expiring_contracts()[:50] → list", "oversight", expiring("oversight", 50)),
        ("expiring_contracts() → list (all)", "oversight", expiring("oversight", None)),
        ("home GET /", "manager", get("manager", "/")),
        ("home GET /", "oversight", get("oversight", "/")),
        (
            "API GET /api/v1/contracts?limit=50",
            "manager",
            get("manager", "/api/v1/contracts?limit=50"),
        ),
        (
            "API GET /api/v1/contracts?limit=50",
            "oversight",
            get("oversight", "/api/v1/contracts?limit=50"),
        ),
        (
            "API GET /api/v1/contracts?limit=50&offset=5000&sort=-end_date",
            "oversight",
            get("oversight", "/api/v1/contracts?limit=50&offset=5000&sort=-end_date"),
        ),
    ]
    return [measure(name, who, call, requests) for name, who, call in cases]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000, metavar="N")
    parser.add_argument("--requests", type=int, default=30, metavar="R")
    parser.add_argument("--database-url", help="PostgreSQL server to use (database steward_bench)")
    parser.add_argument("--regenerate", action="store_true", help="Rebuild the bench database")
    parser.add_argument("--json", action="store_true", help="Machine-readable output")
    args = parser.parse_args(argv)
    if args.contracts < 1 or args.requests < 1:
        parser.error("--contracts and --requests must be at least 1")

    url = bench_database_url(args.database_url)
    prepare_database(url, recreate=args.regenerate)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ.setdefault("STEWARD_LOG_LEVEL", "ERROR")
    # the bench signs in with force_login: no authenticator app to confirm a code with
    os.environ["STEWARD_TWO_FACTOR_REQUIRED"] = "0"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    existing = bench_contract_count()
    generation_s = None
    if existing != args.contracts:
        if existing:
            # A different size: start again from an empty database.
            connection.close()
            prepare_database(url, recreate=True)
            call_command("migrate", verbosity=0)
        generation_s = generate(args.contracts, today)
        with connection.cursor() as cursor:
            # Fresh planner statistics (and, on PostgreSQL, the visibility map that lets
            # COUNT(*) use an index-only scan), as autovacuum would have done in production.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    from steward.contracts.models import Contract

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        results = run_cases(args.requests, today)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db_version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            db_version = f"SQLite {cursor.fetchone()[0]}"
    from pg_reference import raw_postgres_reference

    reference = raw_postgres_reference(url, rows=args.contracts)
    report = {
        "raw_postgres": reference,
        "date": today.isoformat(),
        "database": db_version,
        "contracts": Contract.objects.count(),
        "bench_contracts": args.contracts,
        "generation_seconds": round(generation_s, 1) if generation_s is not None else None,
        "requests": args.requests,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"Steward register benchmark, {report['date']}: {db_version}, {report['machine']}, "
        f"load average {report['load_average'][0]}"
    )
    gen = (
        f"generated in {report['generation_seconds']} s"
        if generation_s is not None
        else "reused the existing bench database"
    )
    print(
        f"{report['contracts']} contracts ({args.contracts} bench + demo), {gen}; "
        f"{args.requests} timed requests per case after {WARMUPS} warm-ups"
    )
    print()
    header = ("case", "as", "median ms", "p95 ms", "queries", "")
    rows = [header] + [
        (
            r["case"],
            r["user"],
            f"{r['median_ms']:.1f}",
            f"{r['p95_ms']:.1f}",
            str(r["queries"]),
            r["detail"],
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for j, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if 2 <= i <= 4 else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(reference["line"])
    if "expiring_ms" in reference:
        steward_expiring = next(
            r["median_ms"] for r in results if r["case"].startswith("expiring_contracts()[:50]")
        )
        print(
            f"ratio: Steward's expiring_contracts()[:50] median {steward_expiring:.1f} ms is "
            f"{steward_expiring / max(reference['expiring_ms'], 0.001):.1f}x the raw query's "
            f"server time ({reference['expiring_ms']:.1f} ms; Steward's figure includes Python "
            "and the round trip)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
