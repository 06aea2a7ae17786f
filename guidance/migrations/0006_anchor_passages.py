"""Cut every stored section text into passages and anchor them, version after version.

Originals are anchored in version order, each against the same section in the version before it,
so a passage that survives keeps its anchor; a translation takes its original's anchors by
position (guidance.passages). Reversing leaves the passages (the field's removal drops them).
"""

from django.db import migrations


def anchor(apps, schema_editor):
    from guidance.passages import passages, translated_passages
    from guidance.rendering import render_blocks

    Version = apps.get_model("guidance", "Version")
    SectionText = apps.get_model("guidance", "SectionText")
    done: dict[int, list] = {}  # SectionText id -> its passages
    last: dict[int, list] = {}  # section id -> its passages in the latest original anchored so far
    originals = Version.objects.filter(translation_of__isnull=True).order_by("document_id", "number")
    translations = Version.objects.filter(translation_of__isnull=False).order_by("document_id", "number")
    for version in [*originals, *translations]:
        for text in SectionText.objects.filter(version=version).order_by("position"):
            blocks = render_blocks(text.body_markdown)
            if version.translation_of_id is None:
                anchored = passages(blocks, last.get(text.section_id, []))
                last[text.section_id] = anchored
            else:
                origin = done.get(text.translated_from_id, [])
                anchored = translated_passages(blocks, origin)
            done[text.pk] = anchored
            SectionText.objects.filter(pk=text.pk).update(passages=[p.as_json() for p in anchored])


class Migration(migrations.Migration):
    dependencies = [("guidance", "0005_section_text_passages")]

    operations = [migrations.RunPython(anchor, migrations.RunPython.noop)]
