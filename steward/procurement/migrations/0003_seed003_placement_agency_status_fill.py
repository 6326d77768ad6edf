"""Data: each placement and notice belongs to its contract's agency; ended placements are
"ended" (seed 003 placements now have a status)."""

from django.db import migrations


def fill(apps, schema_editor):
    Placement = apps.get_model("procurement", "Placement")
    FinanceNotification = apps.get_model("procurement", "FinanceNotification")
    for placement in Placement.objects.select_related("contract"):
        placement.agency_id = placement.contract.agency_id
        if placement.ended_on is not None:
            placement.status = "ended"
        placement.save(update_fields=["agency", "status"])
    for note in FinanceNotification.objects.select_related("placement__contract"):
        note.agency_id = note.placement.contract.agency_id
        note.contract_id = note.placement.contract_id
        note.to_finance = True
        note.save(update_fields=["agency", "contract", "to_finance"])


class Migration(migrations.Migration):
    dependencies = [("procurement", "0002_seed003_placement_chain_outcomes_reviews_notices")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
