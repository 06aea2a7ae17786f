"""Translations aligned with their source: what each translated section was made from, the notice
that it may be out of date (exactly when its original changed since), and side by side."""

from __future__ import annotations

import html
import re
from io import StringIO

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.utils.module_loading import import_string

from guidance.importer import import_markdown
from guidance.models import Document, SectionText, Version
from tests import factories

pytestmark = pytest.mark.django_db

NOTE = "/note/rights-note"
OUT_OF_DATE = "This translation may be out of date"
FR_OUT_OF_DATE = "Cette traduction n'est peut-être plus à jour"


def note(*sections: tuple[str, str, str]) -> str:
    """Markdown with explicit keys: (key, heading, body) per section."""
    return "\n".join(f"## {heading} {{#{key}}}\n\n{body}\n" for key, heading, body in sections)


V1 = note(
    ("police", "Police", "Police must stop arresting sex workers for carrying condoms."),
    ("clinics", "Clinics", "Clinics must open in the evening."),
)
# Version 2 rewords the police section and leaves the clinics section as it was.
V2 = note(
    ("police", "Police", "Police must stop arresting sex workers, and must answer for violence against them."),
    ("clinics", "Clinics", "Clinics must open in the evening."),
)
FR1 = note(
    ("police", "Police", "La police doit cesser d'arrêter les travailleuses du sexe qui portent des préservatifs."),
    ("clinics", "Cliniques", "Les cliniques doivent ouvrir le soir."),
)


@pytest.fixture
def document(db) -> Document:
    return Document.objects.create(slug="rights-note", title="Rights note", language="en")


def original(document: Document, source: str, label: str) -> Version:
    return import_markdown(document=document, source=source, label=label, kind=Version.Kind.DRAFT).version


def translation(document: Document, source: str, of: Version, label: str, language: str = "fr") -> Version:
    return import_markdown(document=document, source=source, label=label, language=language, translation_of=of).version


def text(version: Version, key: str) -> SectionText:
    return SectionText.objects.select_related("translated_from__version").get(version=version, section__key=key)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


# --- What the importer records ------------------------------------------------------------------


def test_each_translated_section_records_the_original_text_it_was_made_from(document):
    v1 = original(document, V1, "Draft 1")
    fr1 = translation(document, FR1, v1, "Projet 1")
    for key in ("police", "clinics"):
        assert text(fr1, key).translated_from == text(v1, key)
    assert text(v1, "police").translated_from is None  # an original translates nothing


def test_a_section_left_as_in_the_previous_translation_keeps_its_older_origin(document):
    v1 = original(document, V1, "Draft 1")
    translation(document, FR1, v1, "Projet 1")
    v2 = original(document, V2, "Draft 2")
    # The translators re-imported the French file unchanged for version 2.
    report = import_markdown(document=document, source=FR1, label="Projet 2", language="fr", translation_of=v2)
    fr2 = report.version
    # The police section changed in English since the French was written: it still comes from version 1.
    assert text(fr2, "police").translated_from == text(v1, "police")
    # The clinics section did not change in English: it is a translation of version 2 like any other.
    assert text(fr2, "clinics").translated_from == text(v2, "clinics")
    assert report.stale == [("police", 1)]


def test_a_section_translated_again_comes_from_the_version_it_translates(document):
    v1 = original(document, V1, "Draft 1")
    translation(document, FR1, v1, "Projet 1")
    v2 = original(document, V2, "Draft 2")
    redone = FR1.replace("qui portent des préservatifs", "et répondre des violences commises contre elles")
    report = import_markdown(document=document, source=redone, label="Projet 2", language="fr", translation_of=v2)
    assert text(report.version, "police").translated_from == text(v2, "police")
    assert report.stale == []


def test_the_command_says_which_sections_were_not_updated(document, tmp_path):
    v1 = original(document, V1, "Draft 1")
    translation(document, FR1, v1, "Projet 1")
    original(document, V2, "Draft 2")
    path = tmp_path / "projet-2.fr.md"
    path.write_text(FR1, encoding="utf-8")
    out = StringIO()
    call_command(
        "import_guidance",
        str(path),
        document="rights-note",
        label="Projet 2",
        language="fr",
        translation_of=2,
        stdout=out,
    )
    assert re.search(r"not updated police: .*since version 1", out.getvalue())
    assert "clinics" not in out.getvalue().split("not updated", 1)[1]


def test_the_backfill_says_older_translations_come_from_the_version_they_translate(document):
    v1 = original(document, V1, "Draft 1")
    fr1 = translation(document, FR1, v1, "Projet 1")
    SectionText.objects.filter(version=fr1).update(translated_from=None)
    backfill = import_string("guidance.migrations.0003_backfill_translated_from.forwards")
    backfill(global_apps, None)
    assert text(fr1, "police").translated_from == text(v1, "police")
    assert text(fr1, "clinics").translated_from == text(v1, "clinics")


# --- Out of date: exactly when the original changed ------------------------------------------------


@pytest.fixture
def behind(document):
    """French translates version 1; version 2 rewords the police section only."""
    v1 = original(document, V1, "Draft 1")
    translation(document, FR1, v1, "Projet 1")
    original(document, V2, "Draft 2")
    return document


def test_the_translations_full_text_marks_only_the_sections_whose_original_changed(client, behind):
    content = page(client.get(f"{NOTE}/v1/fr/"))
    police, clinics = content.split('id="police"')[1].split('id="clinics"')
    assert OUT_OF_DATE in police
    assert f'href="{NOTE}/sections/police/?from=1&to=2#diff-heading"' in police
    assert OUT_OF_DATE not in clinics


def test_a_translation_whose_originals_did_not_change_is_not_marked(client, document):
    v1 = original(document, V1, "Draft 1")
    translation(document, FR1, v1, "Projet 1")
    assert OUT_OF_DATE not in page(client.get(f"{NOTE}/v1/fr/"))
    assert FR_OUT_OF_DATE not in page(client.get(f"/fr{NOTE}/sections/police/"))


def test_a_french_reader_sees_the_french_section_and_the_notice_linking_to_the_change(client, behind):
    content = page(client.get(f"/fr{NOTE}/sections/police/"))
    assert "La police doit cesser d'arrêter" in content
    assert FR_OUT_OF_DATE in content
    assert f'href="/fr{NOTE}/sections/police/?from=1&to=2#diff-heading"' in content
    # The link shows the change between the two originals.
    diff = page(client.get(f"/fr{NOTE}/sections/police/?from=1&to=2"))
    assert re.search(r"<ins>[^<]*violence", diff)


def test_the_notice_is_not_on_a_section_whose_original_did_not_change(client, behind):
    content = page(client.get(f"/fr{NOTE}/sections/clinics/"))
    assert "Les cliniques doivent ouvrir le soir." in content
    assert FR_OUT_OF_DATE not in content


def test_an_english_reader_sees_the_original_text(client, behind):
    content = page(client.get(f"{NOTE}/sections/police/"))
    assert "answer for violence" in content
    assert "La police" not in content
    assert OUT_OF_DATE not in content


def test_a_spanish_reader_without_a_spanish_translation_sees_the_original(client, behind):
    content = page(client.get(f"/es{NOTE}/sections/police/"))
    assert '<html lang="es" dir="ltr">' in content
    assert "answer for violence" in content
    assert re.search(r'<h1 lang="en"\s+dir="ltr">', content)


# --- Side by side ----------------------------------------------------------------------------------


def test_side_by_side_shows_the_translation_beside_the_original_it_was_made_from(client, behind):
    content = page(client.get(f"{NOTE}/sections/police/?side=fr"))
    columns = re.findall(r'<section class="side-column side-(\w+)"\s+lang="(\w+)"\s+dir="(\w+)"', content)
    assert columns == [("translation", "fr", "ltr"), ("original", "en", "ltr")]
    translated, source = content.split('class="side-column side-original"')
    assert "La police doit cesser" in translated
    assert "carrying condoms" in source  # version 1, which the French translates
    assert OUT_OF_DATE in content  # and the reader is told the original has changed since


def test_every_section_page_offers_side_by_side_as_a_plain_link(client, behind):
    content = page(client.get(f"{NOTE}/sections/clinics/"))
    assert 'href="?side=fr#text"' in content
    french = page(client.get(f"/fr{NOTE}/sections/clinics/"))
    assert 'href="?side=fr#text"' in french
    assert 'class="side-by-side"' not in french


def test_side_by_side_in_a_language_without_translation_says_so(client, behind):
    content = page(client.get(f"{NOTE}/sections/police/?side=ru"))
    assert "This section has no published translation in that language." in content
    assert 'class="side-by-side"' not in content


def test_side_by_side_keeps_a_right_to_left_column_right_to_left(client, document):
    # The note is published in the site's languages; a translation into Arabic (made here without
    # the importer, which takes only those) must still read right to left beside its original.
    v1 = original(document, V1, "Draft 1")
    arabic = factories.VersionFactory(document=document, number=1, label="المسودة 1", language="ar", translation_of=v1)
    factories.SectionTextFactory(
        version=arabic,
        section=text(v1, "police").section,
        position=1,
        heading="الشرطة",
        body_markdown="يجب على الشرطة التوقف عن اعتقال العاملات في الجنس.",
        body_html="<p>يجب على الشرطة التوقف عن اعتقال العاملات في الجنس.</p>",
        translated_from=text(v1, "police"),
    )
    content = page(client.get(f"{NOTE}/sections/police/?side=ar"))
    assert re.search(r'<section class="side-column side-translation"\s+lang="ar"\s+dir="rtl"', content)
    assert re.search(r'<section class="side-column side-original"\s+lang="en"\s+dir="ltr"', content)


# --- a language the note has no translation for ----------------------------------------------

UNTRANSLATED_ES = "Este texto no se ha traducido"


@pytest.fixture
def translated_note(document):
    first = original(document, V1, "Draft 1")
    translation(document, FR1, first, "Projet 1")
    return first


@pytest.mark.parametrize("path", [NOTE + "/", NOTE + "/sections/police/"])
def test_a_page_in_a_language_without_a_translation_says_so_first_and_links_to_the_others(
    client, translated_note, path
):
    page = html.unescape(client.get("/es" + path).content.decode())
    assert UNTRANSLATED_ES in page
    notice = page[page.index(UNTRANSLATED_ES) :]
    notice = notice[: notice.index("</div>")]
    assert f'href="{path}"' in notice and f'href="/fr{path}"' in notice  # English and French exist
    assert 'href="/ru' not in notice and f'href="/es{path}"' not in notice
    # At the top: before the page's own heading.
    assert page.index(UNTRANSLATED_ES) < page.index("<h1")


@pytest.mark.parametrize("path", ["", "/fr"])
def test_no_notice_where_the_text_exists_in_the_pages_language(client, translated_note, path):
    page = client.get(f"{path}{NOTE}/sections/police/").content.decode()
    assert 'class="notice untranslated"' not in page


def test_a_translated_sections_breadcrumb_names_the_translations_version(client, translated_note):
    page = html.unescape(client.get(f"/fr{NOTE}/sections/police/").content.decode())
    crumbs = page[page.index('class="meta"') :]
    crumbs = crumbs[: crumbs.index("</p>")]
    assert "Projet 1" in crumbs and "Draft 1" not in crumbs
    assert "/v1/fr/" in crumbs
