#!/usr/bin/env python
"""Benchmark of the risk recompute (issue 5; seed 003): `recompute` for every live contract.

    .venv/bin/python bench/risk.py [--contracts 10000] [--concerns-per-contract 10]
                                   [--database-url URL] [--regenerate] [--json]

It never touches your own database: SQLite var/bench_risk.sqlite3 by default, or the database
`steward_bench_risk` on the PostgreSQL server of --database-url / $DATABASE_URL. It migrates,
loads the shipped packs, makes five agencies, N/20 providers, N active contracts and
N x concerns-per-contract concerns (bulk_create), then times `recompute(as_of=today)` (every
contract, set-based, in chunks of 2,000) and reports seconds, assessments made, SQL queries
and the growth of the process's peak memory (ru_maxrss).

Indicator values: the performance area does not register its risk signal source yet, so the
bench registers a stand-in source (`indicators_missed`, `returns_late`, `returns_missing`
derived from the contract id in one query per chunk) so the cost of a registered source is in
the figure. Results: docs/risk.md ("Performance").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "steward_bench_risk"
BATCH = 5000


def database_url(explicit: str | None) -> str:
    source = explicit or os.environ.get("DATABASE_URL", "")
    if not source or source.startswith("sqlite"):
        return f"sqlite:///{ROOT / 'var' / 'bench_risk.sqlite3'}"
    parts = urlsplit(source)
    return urlunsplit(parts._replace(path=f"/{DB_NAME}"))


def prepare(url: str, *, recreate: bool) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(exist_ok=True)
        if recreate and path.exists():
            path.unlink()
        return
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def generate(n: int, per: int, today: date) -> float:
    from django.db import transaction

    from steward.contracts.models import Contract
    from steward.core.services import policy_packs_load_shipped
    from steward.parties.models import Agency, Provider
    from steward.risk.models import Concern, ConcernCategory
    from steward.risk.services import categories_ensure

    started = time.perf_counter()
    rng = random.Random(5)
    packs = policy_packs_load_shipped()
    with transaction.atomic():
        agencies = [
            Agency.objects.create(
                name=f"Bench agency {p.slug}", slug=f"bench-{p.slug}", kind="council", pack=p
            )
            for p in packs
        ]
        for a in agencies:
            categories_ensure(a)
        cats = {
            a.pk: list(ConcernCategory.objects.filter(agency=a).values_list("pk", flat=True))
            for a in agencies
        }
        Provider.objects.bulk_create(
            [
                Provider(
                    legal_name=f"Bench provider {i}",
                    normalised_name=f"bench provider {i}",
                    slug=f"bench-provider-{i}",
                    country="US",
                )
                for i in range(max(1, n // 20))
            ],
            batch_size=BATCH,
        )
        providers = list(
            Provider.objects.filter(slug__startswith="bench-provider-").values_list("pk", flat=True)
        )
        for offset in range(0, n, BATCH):
            Contract.objects.bulk_create(
                [
                    Contract(
                        agency_id=agencies[i % len(agencies)].pk,
                        provider_id=providers[i % len(providers)],
                        number=f"BENCH-{i:07d}",
                        title="Bench service",
                        contract_type="pos",
                        start_date=today - timedelta(days=rng.randint(30, 900)),
                        end_date=today + timedelta(days=365),
                        maximum_obligation=Decimal(100000),
                        compensation_structure="unit_rate",
                        procurement_method="tendered",
                        status="active",
                        executed_on=today - timedelta(days=900),
                    )
                    for i in range(offset, min(n, offset + BATCH))
                ],
                batch_size=BATCH,
            )
        kinds = ["concern"] * 5 + ["complaint"] * 3 + ["notification", "compliment"]
        severities = ["low"] * 4 + ["medium"] * 4 + ["high", "critical"]
        buffer: list[Concern] = []
        for cid, aid, pid in (
            Contract.objects.filter(number__startswith="BENCH-")
            .values_list("pk", "agency_id", "provider_id")
            .iterator(chunk_size=BATCH)
        ):
            for _ in range(per):
                buffer.append(
                    Concern(
                        agency_id=aid,
                        provider_id=pid,
                        contract_id=cid,
                        kind=rng.choice(kinds),
                        received_on=today - timedelta(days=rng.randint(0, 365)),
                        source="family",
                        channel="phone",
                        category_id=rng.choice(cats[aid]),
                        severity=rng.choice(severities),
                        summary="Bench",
                        description="Bench",
                    )
                )
            if len(buffer) >= BATCH:
                Concern.objects.bulk_create(buffer, batch_size=BATCH)
                buffer = []
        Concern.objects.bulk_create(buffer, batch_size=BATCH)
    return time.perf_counter() - started


def indicator_source(contract_ids, as_of):  # type: ignore[no-untyped-def]
    """Stand-in for the performance area's source: one query per chunk, set-based."""
    from steward.contracts.models import Contract

    # `contract_ids` is the recompute's query of the chunk's ids: a subquery, as the hook asks
    qs = Contract.objects.filter(pk__in=contract_ids).order_by().values_list("pk", flat=True)
    return {
        pk: {
            "indicators_missed": pk % 3,
            "returns_late": pk % 2,
            "returns_missing": int(pk % 7 == 0),
        }
        for pk in qs
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--concerns-per-contract", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    url = database_url(args.database_url)
    prepare(url, recreate=args.regenerate)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ.setdefault("STEWARD_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.utils import timezone

    from steward.contracts.hooks import register_risk_signal_source
    from steward.contracts.models import Contract
    from steward.risk.models import Concern, RiskAssessment
    from steward.risk.services import recompute

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    generation = None
    have = Contract.objects.filter(number__startswith="BENCH-").count()
    if have != args.contracts:
        if have:
            connection.close()
            prepare(url, recreate=True)
            call_command("migrate", verbosity=0)
        generation = generate(args.contracts, args.concerns_per_contract, today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Start from no assessments. Not Django's delete(), which would load every row (and inflate
    # the memory baseline); on PostgreSQL TRUNCATE rather than a raw DELETE, whose dead rows
    # (autovacuum may be off on a bench server) would pile up run after run and slow the next.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {RiskAssessment._meta.db_table} CASCADE")
    else:
        RiskAssessment.objects.all()._raw_delete(RiskAssessment.objects.db)
    register_risk_signal_source("bench-indicators", indicator_source)

    reset_queries()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    counted = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        made = recompute(as_of=today)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    again_started = time.perf_counter()
    unchanged = recompute(as_of=today)
    again = time.perf_counter() - again_started
    result = {
        "database": connection.vendor,
        "contracts": args.contracts,
        "concerns": Concern.objects.count(),
        "generation_s": None if generation is None else round(generation, 1),
        "recompute_s": round(seconds, 2),
        "assessments_made": made,
        "queries": counted[0],
        "peak_rss_before_mb": round(rss_before / 1024, 1),
        "peak_rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "rerun_unchanged_s": round(again, 2),
        "rerun_made": unchanged,
    }
    from pg_reference import raw_postgres_reference

    reference = raw_postgres_reference(url, rows=args.contracts)
    result["raw_postgres"] = reference["line"]
    if "copy_rows_per_s" in reference:
        # the raw time to write one row per contract, the floor under writing the assessments
        result["raw_copy_s_same_rows"] = round(args.contracts / reference["copy_rows_per_s"], 2)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:22} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
