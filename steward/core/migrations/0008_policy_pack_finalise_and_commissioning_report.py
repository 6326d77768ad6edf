"""Stored policy packs gain two deadlines (required from now on): a reviewing official
finalises an evaluation within 14 days of the provider's comments or the end of the comment
window, and the report on all services to the commissioning body is written within 30 days of
the end of each half of the fiscal year (seed 002 stage 10 says twice yearly; the days are a
Steward default)."""

from django.db import migrations

NEW = {
    "evaluation_finalise": {
        "label": "A reviewing official finalises the evaluation (from the provider's comments "
        "or the end of the comment window)",
        "days": 14,
        "kind": "calendar",
        "source": "Steward default",
    },
    "commissioning_report": {
        "label": "Report on all services to the commissioning body (from the end of each half "
        "of the fiscal year)",
        "days": 30,
        "kind": "calendar",
        "source": "Steward default",
    },
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    PolicyPack = apps.get_model("core", "PolicyPack")
    for pack in PolicyPack.objects.all():
        deadlines = dict(pack.rules.get("deadlines", {}))
        for key, rule in NEW.items():
            deadlines.setdefault(key, rule)
        pack.rules = {**pack.rules, "deadlines": deadlines}
        pack.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("core", "0007_policy_pack_time_zone_and_reviews")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
