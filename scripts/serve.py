#!/usr/bin/env python3
# ruff: noqa: S603  (runs only the programs of this virtualenv, named by the Makefile)
"""`make run`: gunicorn and one background worker, started and stopped together, and the
worker's scheduler: `steward daily --enqueue` now and every STEWARD_DAILY_EVERY seconds (the
claim in the database makes the daily jobs run once a day, however often this asks).

The worker is `steward db_worker` (the database backend), or `steward rqworker default` when
STEWARD_TASKS_REDIS_URL is set. Ctrl-C (or SIGTERM) stops both; if either stops, so does the
other. Usage: scripts/serve.py BIN_DIR PORT
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def main() -> int:
    bin_dir, port = sys.argv[1], sys.argv[2]
    # `python -m steward.cli`: the code of this folder, whatever else the virtualenv points at
    steward = [os.path.join(bin_dir, "python"), "-m", "steward.cli"]
    every = int(os.environ.get("STEWARD_DAILY_EVERY", "900"))
    # One worker only here: any job still "running" was left by a worker that was stopped.
    subprocess.run([*steward, "jobs", "recover", "--all", "--skip-checks"], check=False)
    if os.environ.get("STEWARD_TASKS_REDIS_URL"):
        worker = [
            steward,
            "rqworker",
            "default",
            "--with-scheduler",
            "--job-class",
            "django_tasks_rq.Job",
        ]
    else:
        worker = [*steward, "db_worker", "--interval", "1"]
    web = [
        os.path.join(bin_dir, "gunicorn"),
        "steward.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--access-logfile",
        "-",
    ]
    children = [subprocess.Popen(web), subprocess.Popen(worker)]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    next_daily = 0.0
    try:
        while not stopping and all(child.poll() is None for child in children):
            if time.monotonic() >= next_daily:
                subprocess.run([*steward, "daily", "--enqueue", "--skip-checks"], check=False)
                next_daily = time.monotonic() + every
            time.sleep(1)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
