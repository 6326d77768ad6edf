"""Stored policy packs gain their time zone (the agency's "today": from the calendar's country
and state), the days before a contract's end by which its renewal is decided (90, a Steward
default), and lose the per-contract "performance report" frequency, which no policy set."""

from django.db import migrations

ZONES = {
    ("US", "CT"): "America/New_York",
    ("US", "MA"): "America/New_York",
    ("US", "NY"): "America/New_York",
    ("US", "WI"): "America/Chicago",
    ("US", "IL"): "America/Chicago",
    ("US", "CA"): "America/Los_Angeles",
}


def zone_of(calendar):  # type: ignore[no-untyped-def]
    country = (calendar or {}).get("country", "")
    subdivision = (calendar or {}).get("subdivision") or ""
    if country == "GB":
        return "Europe/London"
    return ZONES.get((country, subdivision), "America/New_York" if country == "US" else "UTC")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    PolicyPack = apps.get_model("core", "PolicyPack")
    for pack in PolicyPack.objects.all():
        rules = dict(pack.rules)
        rebuilt = {}
        for key, value in rules.items():
            rebuilt[key] = value
            if key == "date_order" and "time_zone" not in rules:
                rebuilt["time_zone"] = zone_of(rules.get("calendar"))
        rebuilt.setdefault("time_zone", zone_of(rules.get("calendar")))
        reviews = dict(rebuilt.get("reviews", {}))
        reviews.pop("performance_report_months", None)
        rebuilt["reviews"] = reviews
        renewal = dict(rebuilt.get("renewal", {}))
        renewal.setdefault("decision_days_before_end", 90)
        renewal.setdefault("decision_source", "Steward default")
        rebuilt["renewal"] = renewal
        pack.rules = rebuilt
        pack.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("core", "0006_outbound_email")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
