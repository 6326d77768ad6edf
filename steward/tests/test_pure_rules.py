"""Business rules live in plain Python modules with no Django import (the developers' guide):
each module below is read as source and must import nothing from Django or the ORM."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = [
    "core/deadlines.py",
    "core/packs.py",
    "core/uploads.py",
    "performance/calc.py",
    "risk/scoring.py",
    "evaluations/calc.py",
    "monitoring/calc.py",
    "commissioning/calc.py",
    "pricing/calc.py",
    "procurement/calc.py",
    "contracts/register_reports.py",
    "contracts/status_dates.py",
    "opendata/ocds.py",
]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE)
def test_rules_module_imports_no_django(module):
    imported = _imports(ROOT / module)
    assert not {name for name in imported if name.split(".")[0] == "django"}, imported
    assert not {n for n in imported if n.endswith((".models", ".services", ".selectors"))}
