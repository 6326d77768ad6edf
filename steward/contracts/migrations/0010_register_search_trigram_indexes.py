"""PostgreSQL only: trigram indexes for the register's text search on contract numbers and
titles. Django's `icontains` is `UPPER(col::text) LIKE UPPER(%s)`, so the indexes are on that
expression. SQLite has no such index; its search stays a scan (docs/scaling.md)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contracts_contract_number_trgm "
    "ON contracts_contract USING gin (UPPER(number::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contracts_contract_title_trgm "
    "ON contracts_contract USING gin (UPPER(title::text) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS contracts_contract_number_trgm",
    "DROP INDEX IF EXISTS contracts_contract_title_trgm",
]


def _run(statements: list[str]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0009_record_version"),
        ("parties", "0010_provider_name_trigram_index"),
    ]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
