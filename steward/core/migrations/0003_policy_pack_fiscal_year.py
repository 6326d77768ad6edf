"""Policy packs gained a `fiscal_year` section (the annual POS/PSA report counts by it).

Shipped packs are refreshed from their files by `policy_packs_load_shipped`; a copy made before
this change gets the start of its jurisdiction's usual fiscal year: April 1 for a pack in pounds
(UK local authorities), July 1 otherwise (US states and school districts)."""

from django.db import migrations


def add_fiscal_year(apps, schema_editor):
    PolicyPack = apps.get_model("core", "PolicyPack")
    for pack in PolicyPack.objects.all():
        rules = dict(pack.rules)
        if "fiscal_year" in rules:
            continue
        start = "04-01" if rules.get("currency") == "GBP" else "07-01"
        rules["fiscal_year"] = {
            "start": start,
            "source": "Steward default (added to an existing pack by migration)",
        }
        pack.rules = rules
        pack.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_policy_pack_history_users")]
    operations = [migrations.RunPython(add_fiscal_year, migrations.RunPython.noop)]
