"""The OCDS 1.1.5 schemas, read offline from ../shared/data/ocds-1.1.5/ (never copied into the
repository); tests that validate skip, saying why, when they are absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SCHEMAS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "ocds-1.1.5"
BASE = "https://standard.open-contracting.org/schema/1__1__5/"


@pytest.fixture(scope="session")
def ocds_validators():
    """{"release": validator, "record": validator}: Draft 4 validators whose $refs resolve in
    a local registry only (an unknown $ref fails; nothing is fetched)."""
    if not (SCHEMAS / "release-package-schema.json").exists():
        pytest.skip(f"The OCDS 1.1.5 schemas are not at {SCHEMAS} (../shared/data/ocds-1.1.5)")
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    names = (
        "release-schema.json",
        "release-package-schema.json",
        "record-package-schema.json",
        "versioned-release-validation-schema.json",
    )
    schemas = {name: json.loads((SCHEMAS / name).read_text(encoding="utf-8")) for name in names}
    registry = Registry().with_resources(
        (BASE + name, Resource.from_contents(schema, default_specification=DRAFT4))
        for name, schema in schemas.items()
    )
    return {
        "release": Draft4Validator(schemas["release-package-schema.json"], registry=registry),
        "record": Draft4Validator(schemas["record-package-schema.json"], registry=registry),
    }


def assert_valid(validators, package: dict, kind: str = "release") -> None:
    errors = sorted(validators[kind].iter_errors(package), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]
    )
