"""The raw-PostgreSQL reference that every bench prints beside its own figures.

`../shared/tools/pg_limit.py` COPYs N contract-shaped rows into a bare table and times the
expiring-contracts query on it: what PostgreSQL itself does on this machine, in this run. A bench
divides its own figure by it, so the ratio survives a noisy or slower machine.

    from pg_reference import raw_postgres_reference
    ref = raw_postgres_reference(database_url, rows=100_000)
    ref["line"]  # one line to print; ref["copy_rows_per_s"], ref["expiring_ms"] when measured
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG_LIMIT = ROOT.parent / "shared" / "tools" / "pg_limit.py"
SCRATCH_DB = "steward_pg_limit"
_EXISTS = f"SELECT 1 FROM pg_database WHERE datname='{SCRATCH_DB}'"


def raw_postgres_reference(
    database_url: str | None, rows: int = 100_000, scratch: str | None = None
) -> dict[str, Any]:
    """Run pg_limit.py against the server of `database_url` (a scratch database on it:
    `scratch`, else steward_pg_limit; two benches at once on one server need two names).

    Returns {"line": str} always, plus "copy_rows_per_s" and "expiring_ms" (floats) when it ran.
    It does not run (and says why in "line") when ../shared is absent or the bench is on SQLite:
    the reference is PostgreSQL's own figure, and SQLite has none to compare with."""
    if not PG_LIMIT.exists():
        return {"line": f"raw PostgreSQL reference: not run ({PG_LIMIT} is absent)"}
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        return {"line": "raw PostgreSQL reference: not run (this bench ran on SQLite)"}
    parts = urlsplit(database_url)
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGDATABASE": scratch or SCRATCH_DB,
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    exists = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", _EXISTS.replace(SCRATCH_DB, scratch or SCRATCH_DB)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if exists.returncode != 0:
        return {"line": f"raw PostgreSQL reference: not run ({exists.stderr.strip()})"}
    if exists.stdout.strip() != "1":
        subprocess.run(["createdb", scratch or SCRATCH_DB], env=env, check=True)
    result = subprocess.run(
        [sys.executable, str(PG_LIMIT), str(rows)], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        return {"line": f"raw PostgreSQL reference: failed ({result.stderr.strip()[-200:]})"}
    out = result.stdout.strip().splitlines()[-1]
    copy = re.search(r"copy_rows_per_s=([\d,]+)", out)
    query = re.search(r"expiring_page_query_median_ms=([\d.]+)", out)
    ref: dict[str, Any] = {"line": f"raw PostgreSQL reference (pg_limit.py, same run): {out}"}
    if copy:
        ref["copy_rows_per_s"] = float(copy.group(1).replace(",", ""))
    if query:
        ref["expiring_ms"] = float(query.group(1))
    return ref
