"""Data: every stored due date gets its registered kind, its agency and its provider.

Kinds come from the rule keys the first wave wrote: `return:<date>` → return,
`interim_evaluation_<n>` → interim_evaluation, `biannual_review:<date>` and
`annual_review:<date>` → review_meeting, and the rule keys that were already kinds. The
per-contract "Performance report" (`performance_report:<date>`) was no deadline of any policy:
open ones are cancelled with that reason (closed ones keep their history)."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

PREFIXES = {
    "return:": "return",
    "interim_evaluation_": "interim_evaluation",
    "biannual_review:": "review_meeting",
    "annual_review:": "review_meeting",
    "performance_report:": "performance_report",
}


def backfill(apps, schema_editor):
    DueDate = apps.get_model("contracts", "DueDate")
    Contract = apps.get_model("contracts", "Contract")
    contract = Contract.objects.filter(pk=OuterRef("contract_id"))
    DueDate.objects.filter(agency__isnull=True).update(
        agency_id=Subquery(contract.values("agency_id")[:1]),
        provider_id=Subquery(contract.values("provider_id")[:1]),
    )
    DueDate.objects.filter(kind="").update(kind=F("rule_key"))
    for prefix, kind in PREFIXES.items():
        DueDate.objects.filter(rule_key__startswith=prefix).update(kind=kind)
    DueDate.objects.filter(kind="performance_report", status="open").update(
        status="cancelled",
        close_reason="A per-contract performance report is no deadline of the agency's policy.",
    )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0005_due_dates_of_every_kind")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
