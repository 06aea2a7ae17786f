"""Keep each section body's words without markup beside its HTML, for search to match and quote.

The backfill reads them from the stored HTML (``guidance.rendering.plain_text``), as the importer now
does for every new text. Reversing drops the field.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from guidance.rendering import plain_text

    SectionText = apps.get_model("guidance", "SectionText")
    for text in SectionText.objects.only("id", "body_html").iterator(chunk_size=500):
        SectionText.objects.filter(pk=text.pk).update(body_text=plain_text(text.body_html))


class Migration(migrations.Migration):
    dependencies = [("guidance", "0006_anchor_passages")]

    operations = [
        migrations.AddField(
            model_name="sectiontext",
            name="body_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="body (plain text)"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
