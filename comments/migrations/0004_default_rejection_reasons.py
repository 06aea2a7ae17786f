"""Add the rejection reasons coordinators start with; they can edit or delete them on the desk.

Each text is mailed to the poster whose comment is rejected, so it speaks to them.
"""

from django.db import migrations

DEFAULT_REASONS = [
    (
        "Off topic",
        "Your comment is not about the Guidance Note or the section you posted it on. "
        "This page collects endorsements and comments on the note itself.",
    ),
    (
        "Personal data of someone else",
        "Your comment names or identifies a person who has not agreed to it. Many people who read "
        "and post here could lose their work, housing or liberty if identified. You are welcome to "
        "post it again without those details.",
    ),
    (
        "Abusive",
        "Your comment attacks or insults people. Disagreement is welcome here; abuse is not. "
        "You are welcome to post your point again in other words.",
    ),
    (
        "Advertising",
        "Your comment advertises a product, a service or a website. This page is for endorsements "
        "and comments on the Guidance Note.",
    ),
    (
        "Duplicate",
        "You have already posted this comment, and it is kept once. If you meant to add something, "
        "please post only what is new.",
    ),
]


def add_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("comments", "RejectionReason")
    for position, (title, text) in enumerate(DEFAULT_REASONS, start=1):
        RejectionReason.objects.get_or_create(title=title, defaults={"text": text, "position": position * 10})


def remove_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("comments", "RejectionReason")
    RejectionReason.objects.filter(title__in=[title for title, _text in DEFAULT_REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_screening_signals"),
    ]

    operations = [
        migrations.RunPython(add_reasons, remove_reasons),
    ]
