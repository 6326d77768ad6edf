"""Policy packs' `risk` section gained `weights` (signal name -> weight) for the red/amber/green
risk assessment (seeds 002 step 1, 003).

Shipped packs are refreshed from their files by `policy_packs_load_shipped`; a copy stored before
this change gets Steward's default weights (the same as the shipped packs)."""

from django.db import migrations

DEFAULT_WEIGHTS = {
    "indicators_missed": 1,
    "returns_late": 1,
    "returns_missing": 2,
    "concerns": 1,
    "high_severity_concerns": 2,
    "financial_concerns": 2,
    "inspection_poor": 3,
    "actions_overdue": 1,
    "review_overdue": 1,
}


def add_risk_weights(apps, schema_editor):
    PolicyPack = apps.get_model("core", "PolicyPack")
    for pack in PolicyPack.objects.all():
        rules = dict(pack.rules)
        risk = dict(rules.get("risk") or {})
        if not risk or "weights" in risk:
            continue
        risk["weights"] = dict(DEFAULT_WEIGHTS)
        rules["risk"] = risk
        pack.rules = rules
        pack.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_policy_pack_fiscal_year")]
    operations = [migrations.RunPython(add_risk_weights, migrations.RunPython.noop)]
