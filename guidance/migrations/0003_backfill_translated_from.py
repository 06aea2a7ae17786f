"""Say, for the translations imported before translated_from existed, which original text each translates.

Without a better record, a translated section is taken to be made from the same section in the
version its version translates (what the importer records for a fresh translation).
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    SectionText = apps.get_model("guidance", "SectionText")
    source = SectionText.objects.filter(version_id=OuterRef("version__translation_of_id"), section_id=OuterRef("section_id"))
    translated = SectionText.objects.filter(version__translation_of__isnull=False, translated_from__isnull=True)
    for text in translated.annotate(source_id=Subquery(source.values("pk")[:1])).exclude(source_id=None).iterator():
        SectionText.objects.filter(pk=text.pk).update(translated_from_id=text.source_id)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0002_section_translated_from")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
