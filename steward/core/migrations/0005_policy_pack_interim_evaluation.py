"""Every policy pack gains the `interim_evaluation` deadline (a required deadline from now on):
packs stored before it existed get the closeout evaluation's days, in calendar days."""

from django.db import migrations


def add_interim_deadline(apps, schema_editor):  # type: ignore[no-untyped-def]
    PolicyPack = apps.get_model("core", "PolicyPack")
    for pack in PolicyPack.objects.all():
        deadlines = pack.rules.get("deadlines", {})
        if "interim_evaluation" in deadlines:
            continue
        closeout = deadlines.get("closeout_evaluation", {"days": 60})
        rebuilt = {}
        for key, rule in deadlines.items():
            rebuilt[key] = rule
            if key == "evaluation_comment":
                rebuilt["interim_evaluation"] = {
                    "label": "Agency writes the interim evaluation "
                    "(from the end of each contract year)",
                    "days": closeout["days"],
                    "kind": "calendar",
                    "source": "Steward default",
                }
        rebuilt.setdefault(
            "interim_evaluation",
            {
                "label": "Agency writes the interim evaluation (from the end of each contract year)",
                "days": closeout["days"],
                "kind": "calendar",
                "source": "Steward default",
            },
        )
        pack.rules = {**pack.rules, "deadlines": rebuilt}
        pack.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_policy_pack_risk_weights")]

    operations = [migrations.RunPython(add_interim_deadline, migrations.RunPython.noop)]
