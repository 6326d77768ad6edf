import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0006_due_dates_kind_and_agency_backfill"),
        ("parties", "0002_provider_identifier_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="duedate",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="due_dates",
                to="parties.agency",
            ),
        ),
        migrations.AlterField(
            model_name="duedate",
            name="kind",
            field=models.CharField(max_length=40),
        ),
        migrations.AlterField(
            model_name="historicalduedate",
            name="kind",
            field=models.CharField(max_length=40),
        ),
    ]
