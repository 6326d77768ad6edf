"""PostgreSQL only: a trigram index on providers' legal names, for the register's text search
(`name contains ...`). SQLite has no such index; its search stays a scan (docs/scaling.md)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS parties_provider_legal_name_trgm "
    "ON parties_provider USING gin (UPPER(legal_name::text) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS parties_provider_legal_name_trgm"]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("parties", "0009_every_role")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
