"""Data: the review-meeting due dates written by the first wave's performance plan
(`biannual_review:<date>` and `annual_review:<date>`, kind `review_meeting` since contracts
0006) belong to no meeting and nothing could close them. Open ones are cancelled, replaced by
the contract's review cycle (planned when a contract is executed; `steward reviews plan` plans
it for contracts executed before); closed ones keep their history."""

from django.db import migrations

REASON = "Replaced by the contract's review cycle"


def cancel(apps, schema_editor):
    DueDate = apps.get_model("contracts", "DueDate")
    DueDate.objects.filter(kind="review_meeting", status="open", subject_id__isnull=True).update(
        status="cancelled", close_reason=REASON
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0008_due_reminders"),
        ("monitoring", "0002_review_meetings_cancelled_and_no_reminder_log"),
    ]

    operations = [migrations.RunPython(cancel, migrations.RunPython.noop)]
