"""Issue 19 point 2: the agency that created each existing provider, read from its history (the
agency of the person who created it); providers created by an administrator or an import keep
none, and only they themselves, oversight and administrators may then change them."""

from django.db import migrations


def forwards(apps, schema_editor):
    Provider = apps.get_model("parties", "Provider")
    HistoricalProvider = apps.get_model("parties", "HistoricalProvider")
    User = apps.get_model("parties", "User")
    for provider in Provider.objects.filter(created_by_agency__isnull=True).iterator():
        first = (
            HistoricalProvider.objects.filter(id=provider.pk, history_type="+")
            .order_by("history_date")
            .values_list("history_user_id", flat=True)
            .first()
        )
        agency_id = User.objects.filter(pk=first).values_list("agency_id", flat=True).first()
        if agency_id:
            Provider.objects.filter(pk=provider.pk).update(created_by_agency_id=agency_id)


class Migration(migrations.Migration):
    dependencies = [("parties", "0003_provider_keepers_and_inspection_recorder")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
