"""Record which comments were confirmed through the mailed link, and mark the earlier ones that were.

Before this, a signed-in member's comment was marked confirmed too, whatever address they typed; only
the audit log tells the two apart (its confirmation event reads "confirmed by email").
"""

from django.db import migrations, models


def mark_mail_confirmed(apps, schema_editor):
    OrgComment = apps.get_model("comments", "OrgComment")
    ModerationEvent = apps.get_model("comments", "ModerationEvent")
    confirmed = ModerationEvent.objects.filter(action="confirm", reason="confirmed by email").values("comment_id")
    OrgComment.objects.filter(pk__in=confirmed).update(confirmed_by_mail=True)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_rejection_reason_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="orgcomment",
            name="confirmed_by_mail",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_mail_confirmed, migrations.RunPython.noop),
    ]
