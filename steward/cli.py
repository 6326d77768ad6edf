"""The `steward` console script: Django's management commands under one operator-facing name.

`steward demo`, `steward token create USER`, `steward contracts expire`, `steward migrate`, ...
(`steward help` lists them all).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["steward", *argv])
    args[0] = "steward"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
