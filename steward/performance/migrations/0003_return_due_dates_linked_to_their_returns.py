"""Data: each return's due date, stored before due dates had a subject, is linked to its Return
(by contract and the period's last day, which its rule key `return:<date>` names), so that the
provider's work list links to the return's page; a met one is linked to it as what met it."""

from datetime import date

from django.db import migrations


def link(apps, schema_editor):  # type: ignore[no-untyped-def]
    DueDate = apps.get_model("contracts", "DueDate")
    Return = apps.get_model("performance", "Return")
    ContentType = apps.get_model("contenttypes", "ContentType")
    return_type = ContentType.objects.filter(app_label="performance", model="return").first()
    if return_type is None:  # a new database: nothing stored yet
        return
    for due in DueDate.objects.filter(kind="return", subject_id__isnull=True).iterator():
        try:
            period_end = date.fromisoformat(due.rule_key.split(":", 1)[1])
        except (IndexError, ValueError):
            continue
        ret = Return.objects.filter(contract_id=due.contract_id, period_end=period_end).first()
        if ret is None:
            continue
        due.subject_type_id, due.subject_id = return_type.pk, ret.pk
        fields = ["subject_type", "subject_id"]
        if due.status == "done" and due.met_by_id is None:
            due.met_by_type_id, due.met_by_id = return_type.pk, ret.pk
            fields += ["met_by_type", "met_by_id"]
        due.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0007_due_date_agency_and_kind_required"),
        ("performance", "0002_value_indexes_for_bulk_import"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
