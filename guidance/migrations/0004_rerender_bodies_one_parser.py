"""Render every stored section body again with the one parser the importer now splits with.

The bodies were rendered by Python-Markdown; the importer and the renderer now share markdown-it-py
(CommonMark), and body headings get consecutive levels from h3. Only ``body_html`` changes, from the
Markdown kept beside it; reversing keeps the new HTML (the old renderer is gone).
"""

from django.db import migrations


def rerender(apps, schema_editor):
    from guidance.rendering import render_markdown

    SectionText = apps.get_model("guidance", "SectionText")
    for text in SectionText.objects.only("id", "body_markdown").iterator(chunk_size=500):
        SectionText.objects.filter(pk=text.pk).update(body_html=render_markdown(text.body_markdown))


class Migration(migrations.Migration):
    dependencies = [("guidance", "0003_backfill_translated_from")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop)]
