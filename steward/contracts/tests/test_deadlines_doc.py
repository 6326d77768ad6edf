from pathlib import Path

from steward.contracts.deadlines_doc import render

DOC = Path(__file__).resolve().parents[3] / "docs" / "deadlines.md"


def test_deadlines_doc_is_current():
    """docs/deadlines.md is generated from the registry of due date kinds: regenerate it with
    `python -m steward.contracts.deadlines_doc > docs/deadlines.md`."""
    assert DOC.read_text() == render()
