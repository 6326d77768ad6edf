from pathlib import Path

from steward.core.packs_doc import render

DOC = Path(__file__).resolve().parents[3] / "docs" / "policy-packs.md"


def test_policy_packs_doc_is_current():
    """docs/policy-packs.md is generated from the pack files: regenerate it with
    `python -m steward.core.packs_doc > docs/policy-packs.md`."""
    assert DOC.read_text() == render()
