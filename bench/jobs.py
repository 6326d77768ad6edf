#!/usr/bin/env python
"""Benchmark of the job machinery (issue 20): what a background job costs around the work.

    .venv/bin/python bench/jobs.py [--values 1000000] [--contracts 10000] [--rounds 2]
                                   [--database-url URL] [--json]

It never touches your own database: SQLite at var/bench-jobs.sqlite3, or the database
`steward_bench_jobs` on the PostgreSQL server of --database-url / $DATABASE_URL, recreated on
every run. The tasks backend is the database one (`STEWARD_TASKS_BACKEND=database`), as under
`make run`: a request enqueues, a worker runs.

(a) **The page request of a large returns upload.** A CSV of --values indicator values
    (1,000,000 by default, about 50 MB) is posted to the returns import page by a signed-in
    contract manager (django.test.Client; the multipart body is built once, before the clock
    starts, so only the server's handling is timed: parsing the upload, checking the file,
    storing it, writing the Job and its task row). The job is not run: no worker is started.
    Target: under 1 s.

(b) **The machinery's overhead on a --contracts-row register import.** The same file is
    imported into two fresh agencies, --rounds times each, alternately: once by calling
    `import_contracts` directly, once as a job: `store_upload` + `job_start` (the request's
    part), then `steward db_worker --batch` in this process (the worker's part: fetching the
    task, claiming the job, progress, storing the outcome, deleting the upload). Overhead = job
    path minus direct call (medians). Target: under 1 s.

Then the raw-PostgreSQL reference of bench/pg_reference.py, as in every bench.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DATABASE = "steward_bench_jobs"
NATIVE_HEADER = (
    "number,title,provider,contract type,start date,end date,maximum obligation,"
    "compensation structure,procurement method\n"
)


def database_url(explicit: str | None) -> str:
    source = explicit or os.environ.get("DATABASE_URL", "")
    if not source or source.startswith("sqlite"):
        path = ROOT / "var" / "bench-jobs.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parts = urlsplit(source)
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlunsplit(parts._replace(path=f"/{DATABASE}"))


def returns_csv(path: Path, values: int) -> None:
    """`values` indicator-value rows (the request reads none of them; the job would)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("Contract,Period start,Indicator,Value\n")
        lines = []
        for i in range(values):
            lines.append(
                f"BENCH-{i // 100:06d},{2022 + (i // 5) % 5}-{1 + 3 * (i % 4):02d}-01,"
                f"Indicator {i % 5},{(i * 7) % 1000}.50\n"
            )
            if len(lines) == 10_000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def contracts_csv(rows: int, tag: str) -> bytes:
    """A native register of `rows` valid contracts; providers named after `tag`, so that
    every import creates the same number of them."""
    body = io.StringIO()
    body.write(NATIVE_HEADER)
    for i in range(rows):
        body.write(
            f"J-{i:06d},Family support lot {i},Provider {tag} {i % 500},pos,"
            f"2026-01-01,2027-12-31,{1000 + i}.00,unit_rate,tendered\n"
        )
    return body.getvalue().encode()


def page_request(values: int) -> dict[str, object]:
    """(a): time the returns import page's POST of a `values`-row file; no worker runs."""
    from django.core.files.storage import default_storage
    from django.test import Client
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from steward.core.models import Job
    from steward.parties.models import User

    path = ROOT / "var" / f"bench-jobs-returns-{values}.csv"
    returns_csv(path, values)
    size = path.stat().st_size
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    timings = []
    jobs_before = Job.objects.count()
    for _ in range(3):
        with path.open("rb") as stream:
            body = encode_multipart(BOUNDARY, {"file": stream})
        started = time.perf_counter()
        response = client.generic(
            "POST", "/performance/import/", body, content_type=MULTIPART_CONTENT
        )
        timings.append(time.perf_counter() - started)
        if response.status_code != 302 or not response["Location"].startswith("/jobs/"):
            raise SystemExit(f"bench: the import page answered {response.status_code}")
        del body
    from django_tasks_db.models import DBTaskResult

    jobs = list(Job.objects.order_by("-pk")[:3])
    assert Job.objects.count() == jobs_before + 3 and all(j.status == "queued" for j in jobs)
    assert DBTaskResult.objects.filter(status="READY").count() >= 3
    for job in jobs:  # not run here: the stored uploads and queued tasks are the bench's
        default_storage.delete(job.upload)
    DBTaskResult.objects.all().delete()  # so that (b)'s worker runs only its own
    Job.objects.filter(pk__in=[j.pk for j in jobs]).delete()
    path.unlink()
    return {
        "values": values,
        "file_mib": round(size / 1024 / 1024, 1),
        "request_seconds_median": round(statistics.median(timings), 3),
        "request_seconds_max": round(max(timings), 3),
        "job_status_after_the_request": "queued",
    }


def machinery_overhead(rows: int, rounds: int) -> dict[str, object]:
    """(b): a `rows`-row register import, direct and as a job, `rounds` times each."""
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    from steward.contracts.importing import import_contracts
    from steward.contracts.jobs import import_start
    from steward.core.jobs import store_upload
    from steward.core.models import Job
    from steward.parties.models import Agency, User

    admin = User.objects.get(username="admin")
    pack = Agency.objects.get(slug="bench").pack
    direct, job_path, request_part, statuses = [], [], [], []
    for r in range(rounds):
        for way in ("direct", "job"):
            agency = Agency.objects.create(
                name=f"Bench {way} {r}", slug=f"bench-{way}-{r}", kind="state_agency", pack=pack
            )
            data = contracts_csv(rows, f"{way}{r}")
            if way == "direct":
                started = time.perf_counter()
                report = import_contracts(
                    actor=admin,
                    agency=agency,
                    stream=io.BytesIO(data),
                    filename="register.csv",
                    fmt="native",
                    today=timezone.localdate(),
                )
                direct.append(time.perf_counter() - started)
                assert report.ok and report.created == rows, report.summary()
                continue
            upload = ContentFile(data, name="register.csv")
            started = time.perf_counter()
            job = import_start(
                actor=admin,
                agency=agency,
                path=store_upload(upload),
                filename="register.csv",
                fmt="native",
            )
            requested = time.perf_counter()
            call_command("db_worker", batch=True, verbosity=0)
            job_path.append(time.perf_counter() - started)
            request_part.append(requested - started)
            job.refresh_from_db()
            statuses.append(job.status)
            assert job.status == "succeeded" and job.result["created"] == rows, job.error
    overhead = statistics.median(job_path) - statistics.median(direct)
    return {
        "rows": rows,
        "rounds": rounds,
        "direct_import_seconds": [round(t, 2) for t in direct],
        "job_path_seconds": [round(t, 2) for t in job_path],
        "job_request_part_seconds": [round(t, 3) for t in request_part],
        "job_overhead_seconds_median": round(overhead, 2),
        "jobs": Job.objects.filter(kind="contracts.import").count(),
        "job_statuses": statuses,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = database_url(args.database_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "steward.settings"
    os.environ["STEWARD_TASKS_BACKEND"] = "database"  # as under `make run`
    os.environ.setdefault("STEWARD_LOG_LEVEL", "ERROR")
    os.environ["STEWARD_TWO_FACTOR_REQUIRED"] = "0"  # force_login: no code to confirm
    media = ROOT / "var" / "bench-jobs-media"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from steward.core.services import policy_packs_load_shipped
    from steward.parties.models import Agency, AgencyKind, User

    settings.MEDIA_ROOT = media  # the bench's uploads and reports, never var/media
    setup_test_environment()  # the test client's host, no e-mail sent
    call_command("migrate", verbosity=0)
    packs = {p.slug: p for p in policy_packs_load_shipped()}
    agency = Agency.objects.create(
        name="Bench Department",
        slug="bench",
        kind=AgencyKind.STATE_AGENCY,
        pack=packs["connecticut-opm"],
    )
    manager = User(username="manager", role="contract_manager", agency=agency)
    manager.set_unusable_password()
    manager.save()
    admin = User(username="admin", role="administrator")
    admin.set_unusable_password()
    admin.save()
    (ROOT / "var").mkdir(exist_ok=True)

    results: dict[str, object] = {
        "database": connection.vendor,
        "tasks_backend": settings.TASKS["default"]["BACKEND"],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    results["page_request"] = page_request(args.values)
    results["machinery"] = machinery_overhead(args.contracts, args.rounds)

    from pg_reference import raw_postgres_reference

    reference = raw_postgres_reference(os.environ["DATABASE_URL"], rows=100_000)
    results["raw_postgres"] = reference["line"]
    if "copy_rows_per_s" in reference:
        copy_seconds = args.contracts / reference["copy_rows_per_s"]
        results["raw_copy_seconds_for_the_same_rows"] = round(copy_seconds, 3)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            if isinstance(value, dict):
                for inner, v in value.items():
                    print(f"{key + '.' + inner:>44}: {v}")
            else:
                print(f"{key:>44}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
