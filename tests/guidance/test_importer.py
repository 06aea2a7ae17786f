"""The Markdown importer: parsing, matching sections across versions, refusals, translations, the command."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.importer import (
    ImportRefused,
    ImportReport,
    import_markdown,
    no_sections_in_use,
    parse_markdown,
)
from guidance.models import Document, Section, SectionText, Version
from guidance.rendering import render_markdown
from tests import factories

pytestmark = pytest.mark.django_db

SECTIONS_IN_USE = "guidance.importer.no_sections_in_use"

INTRODUCTION = (
    "Sex workers have been at the front of the HIV response since the first years of the epidemic. "
    "Where they have been free to organise, condom use has gone up and infections have gone down."
)
VIOLENCE = (
    "Violence against sex workers by police, clients and partners raises the risk of HIV. "
    "Programmes must document it, answer it quickly and never make reporting a condition of care."
)
LIVELIHOODS = (
    "Programmes that push sex workers out of their work through rehabilitation or training schemes waste "
    "money and break trust. Support for those who choose to change work must be voluntary, paid and respectful, "
    "and it must never be a condition for receiving health services or protection."
)
HEALTH = (
    "Prevention, testing, treatment and care must be available, free, voluntary and confidential, "
    "at hours and places that suit sex workers, with peer navigators from the community."
)


def markdown(*sections: tuple[str, str], title: str = "# Guidance Note on HIV and sex work") -> str:
    """A note: a title line, then one '## heading' and body per section."""
    parts = [title, ""] if title else []
    for heading, body in sections:
        parts += [f"## {heading}", "", body, ""]
    return "\n".join(parts)


FIRST = markdown(
    ("1. Introduction", INTRODUCTION),
    ("2. Violence", VIOLENCE),
    ("3. Alternative livelihoods", LIVELIHOODS),
    ("4. Health services", HEALTH),
)


@pytest.fixture
def document():
    return factories.DocumentFactory(slug="the-note", language="en")


@pytest.fixture
def first(document) -> ImportReport:
    return import_markdown(document=document, source=FIRST, label="Original text", kind=Version.Kind.ORIGINAL)


def rows() -> tuple[int, int, int, int]:
    return (Document.objects.count(), Version.objects.count(), Section.objects.count(), SectionText.objects.count())


def texts(version: Version) -> list[SectionText]:
    return list(SectionText.objects.filter(version=version).select_related("section").order_by("position"))


def every_section_in_use(sections):
    """A stand-in for the comments app's guard: every section it is asked about has comments."""
    return set(sections.values_list("pk", flat=True))


def violence_in_use(sections):
    return set(sections.filter(key="violence").values_list("pk", flat=True))


def big_note(sections: int, *, paragraphs: int = 1) -> str:
    """A note of many sections with distinct, prose-like bodies."""
    words = [
        *("rights", "health", "community", "violence", "police", "clients", "services", "outreach", "peer"),
        *("condoms", "testing", "treatment", "stigma", "law", "reform", "migrants", "housing", "income"),
        *("safety", "organising", "networks", "evidence", "funding"),
    ]
    parts = ["# A long note", ""]
    for number in range(1, sections + 1):
        parts += [f"## {number}. Section {number} on {words[number % len(words)]}", ""]
        for paragraph in range(paragraphs):
            sentence = " ".join(words[(number * 7 + paragraph * 3 + i) % len(words)] for i in range(70))
            parts += [f"Paragraph {paragraph} of section {number}: {sentence}. A [source](https://example.org).", ""]
    return "\n".join(parts)


# --- Parsing ---------------------------------------------------------------------------------------


def test_it_splits_on_the_section_headings():
    sections = parse_markdown(FIRST)

    assert [s.key for s in sections] == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert [s.heading for s in sections] == ["Introduction", "Violence", "Alternative livelihoods", "Health services"]
    assert sections[1].body == VIOLENCE
    assert {s.level for s in sections} == {2}


def test_it_skips_a_single_leading_title():
    sections = parse_markdown("# The title\n\n## A\n\ntext a\n\n## B\n\ntext b\n")

    assert [s.heading for s in sections] == ["A", "B"]


def test_it_treats_several_level_one_headings_as_sections():
    sections = parse_markdown("# A\n\ntext a\n\n## A detail\n\nmore\n\n# B\n\ntext b\n")

    assert [s.heading for s in sections] == ["A", "B"]
    assert sections[0].level == 1
    assert sections[0].body == "text a\n\n## A detail\n\nmore"


def test_it_takes_a_lone_level_one_heading_as_a_section():
    sections = parse_markdown("# Only heading\n\nAll the text.\n")

    assert [(s.heading, s.body) for s in sections] == [("Only heading", "All the text.")]


def test_it_uses_the_shallowest_level_present():
    sections = parse_markdown("### A\n\ntext\n\n#### A.1\n\ndetail\n\n### B\n\ntext b")

    assert [s.heading for s in sections] == ["A", "B"]
    assert sections[0].level == 3
    assert "#### A.1" in sections[0].body


def test_it_keeps_deeper_headings_in_the_body():
    sections = parse_markdown("## Rights\n\nIntro.\n\n### Principles\n\n- one\n\n### In practice\n\nText.")

    assert len(sections) == 1
    assert sections[0].body == "Intro.\n\n### Principles\n\n- one\n\n### In practice\n\nText."


def test_it_parses_section_numbers():
    sections = parse_markdown(
        "## 3. Introduction\n\n## 3.2 Rights based\n\n## 4.1.2. Deep\n\n## IV. Roman\n\n## 2030 targets\n\n## Plain"
        "\n\n## C. Lettered"
    )

    assert [(s.number, s.heading) for s in sections] == [
        ("3", "Introduction"),
        ("3.2", "Rights based"),
        ("4.1.2", "Deep"),
        ("IV", "Roman"),
        ("", "2030 targets"),
        ("", "Plain"),
        ("", "C. Lettered"),
    ]


def test_it_derives_keys_from_the_heading_without_its_number():
    sections = parse_markdown("## 5. The legal environment!\n\n## 6. Health_services & care\n\n## 7. A -- B")

    assert [s.key for s in sections] == ["the-legal-environment", "health-services-care", "a-b"]
    assert not any(s.explicit_key for s in sections)


def test_it_reads_explicit_keys():
    sections = parse_markdown("## 9. Economic empowerment {#economic-empowerment}\n\ntext")

    assert sections[0].key == "economic-empowerment"
    assert sections[0].explicit_key is True
    assert sections[0].heading == "Economic empowerment"
    assert sections[0].number == "9"


def test_it_strips_closing_hashes():
    sections = parse_markdown("## Violence ##\n\n## Health {#health} ##")

    assert [(s.heading, s.key) for s in sections] == [("Violence", "violence"), ("Health", "health")]


def test_it_does_not_split_inside_code_fences():
    text = (
        "## Examples\n\n```bash\n# install\n## not a section\n```\n\n~~~~\n## nor this\n~~~~\n\n"
        "````\n```\n## still code\n```\n````\n\n## Next\n\nend"
    )

    sections = parse_markdown(text)

    assert [s.heading for s in sections] == ["Examples", "Next"]
    assert "## not a section" in sections[0].body
    assert "## nor this" in sections[0].body
    assert "## still code" in sections[0].body


def test_it_does_not_take_hashtags_or_indented_lines_for_headings():
    sections = parse_markdown("## Campaign\n\n#NothingAboutUsWithoutUs\n\n    ## indented code\n")

    assert len(sections) == 1
    assert "#NothingAboutUsWithoutUs" in sections[0].body


def test_it_keeps_body_lines_as_written_without_blank_lines_around():
    sections = parse_markdown("## Poem\n\n  \nfirst line  \nsecond line\n\n    code block\n \n\n## Next")

    assert sections[0].body == "first line  \nsecond line\n\n    code block"


def test_it_records_heading_line_numbers():
    sections = parse_markdown(FIRST)

    assert [s.line for s in sections] == [3, 7, 11, 15]


def test_it_reads_windows_line_endings_and_a_byte_order_mark():
    sections = parse_markdown("\ufeff## A\r\n\r\nline one\r\nline two\r\n## B\r\n")

    assert [s.heading for s in sections] == ["A", "B"]
    assert sections[0].body == "line one\nline two"


def test_it_refuses_a_heading_without_usable_key_naming_its_line():
    with pytest.raises(ImportRefused, match="Line 5") as refusal:
        parse_markdown("## Introduction\n\ntext\n\n## Права человека\n\ntext")

    assert "explicit key" in str(refusal.value)


def test_it_accepts_a_non_latin_heading_with_an_explicit_key():
    sections = parse_markdown("## Права человека {#human-rights}\n\ntext")

    assert (sections[0].key, sections[0].heading) == ("human-rights", "Права человека")


def test_it_refuses_an_invalid_explicit_key():
    with pytest.raises(ImportRefused, match=r"Line 1: the key \{#Bad_Key\} is not valid"):
        parse_markdown("## Heading {#Bad_Key}\n")


def test_it_refuses_a_repeated_key_naming_both_lines():
    with pytest.raises(ImportRefused) as refusal:
        parse_markdown("## Violence\n\none\n\n## Health\n\n## Violence\n\ntwo")

    message = str(refusal.value)
    assert "'violence'" in message
    assert "line 1" in message and "line 7" in message


def test_it_refuses_a_repeated_explicit_key():
    with pytest.raises(ImportRefused, match=r"'health'.*line 1.*line 3"):
        parse_markdown("## Health {#health}\n\n## Care {#health}\n")


# --- Importing a first version ---------------------------------------------------------------------


def test_it_imports_a_first_version(document, first):
    version = first.version

    assert version.pk is not None
    assert (version.number, version.label, version.language, version.kind) == (1, "Original text", "en", "original")
    assert version.published is not None
    assert first.added == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert first.changed == first.removed == first.unchanged == first.reordered == first.renamed == []
    assert first.previous is None
    assert first.section_count == 4


def test_it_stores_each_section_text(first):
    stored = texts(first.version)

    assert [t.position for t in stored] == [1, 2, 3, 4]
    assert [t.number for t in stored] == ["1", "2", "3", "4"]
    assert [t.section.key for t in stored] == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert stored[1].heading == "Violence"
    assert stored[1].level == 2
    assert stored[1].body_markdown == VIOLENCE
    assert stored[1].body_html == f"<p>{VIOLENCE}</p>"


def test_it_stores_sanitised_html(document):
    report = import_markdown(
        document=document,
        source="## Links\n\n[a](https://example.org) <script>alert(1)</script> [b](javascript:alert(2))",
        label="v1",
    )

    html = texts(report.version)[0].body_html
    assert "<script" not in html and 'href="javascript' not in html.lower()
    assert 'rel="nofollow noopener"' in html


def test_it_stores_the_body_as_plain_text_for_search(document):
    source = "## Police\n\nPolice **must** stop &lt;raids&gt; & [arrests](https://example.org).\n\n- One\n- Two"

    report = import_markdown(document=document, source=source, label="v1")

    text = texts(report.version)[0]
    assert text.body_text == "Police must stop <raids> & arrests. One Two"
    assert "<strong>" in text.body_html


def test_it_accepts_bytes_and_keeps_accents(document):
    source = "## Accès aux services {#access}\n\nL'accès est un droit.".encode()

    report = import_markdown(document=document, source=source, label="v1")

    assert texts(report.version)[0].heading == "Accès aux services"


def test_it_uses_the_given_publication_date_changelog_kind_and_number(document):
    when = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)

    report = import_markdown(
        document=document,
        source=FIRST,
        label="Original text",
        kind=Version.Kind.ORIGINAL,
        number=7,
        published=when,
        changelog="As published in April.",
    )

    version = Version.objects.get(pk=report.version.pk)
    assert (version.number, version.published, version.changelog) == (7, when, "As published in April.")


def test_it_numbers_a_new_version_after_the_highest(document, first):
    second = import_markdown(document=document, source=FIRST, label="Reworked draft 1")

    assert second.version.number == 2
    assert second.version.kind == "draft"


def test_it_reports_the_title_and_text_before_the_first_section(document):
    report = import_markdown(
        document=document, source="# The Note\n\nAn intro that belongs nowhere.\n\n## A\n\ntext\n", label="v1"
    )

    assert any("Line 1" in note and "title" in note for note in report.notes)
    assert any("Lines 3-3" in note and "left out" in note for note in report.notes)


def test_it_calls_progress_for_each_section(document):
    calls = []

    import_markdown(document=document, source=FIRST, label="v1", progress=lambda *call: calls.append(call))

    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_it_runs_a_constant_number_of_queries_whatever_the_number_of_sections(document):
    small_document = factories.DocumentFactory()
    with CaptureQueriesContext(connection) as small:
        import_markdown(document=small_document, source=big_note(5), label="v1")
    with CaptureQueriesContext(connection) as large:
        import_markdown(document=document, source=big_note(100), label="v1")

    assert len(large.captured_queries) == len(small.captured_queries)
    assert SectionText.objects.filter(version__document=document).count() == 100


# --- Comparing two versions ------------------------------------------------------------------------


def test_it_reports_unchanged_sections(document, first):
    second = import_markdown(document=document, source=FIRST, label="Reworked draft 1")

    assert second.unchanged == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert second.added == second.changed == second.removed == second.reordered == second.renamed == []
    assert second.previous == first.version
    assert Section.objects.filter(document=document).count() == 4


def test_it_reports_added_changed_and_removed_sections(document, first):
    source = markdown(
        ("1. Introduction", INTRODUCTION + " We lead."),
        ("2. Violence", VIOLENCE),
        ("3. Digital safety", "Online work brings new risks: platform bans, doxxing and surveillance."),
        ("4. Health services", HEALTH),
    )

    second = import_markdown(document=document, source=source, label="Reworked draft 1", allow_removal=True)

    assert second.added == ["digital-safety"]
    assert second.changed == ["introduction"]
    assert second.unchanged == ["violence", "health-services"]
    assert second.removed == ["alternative-livelihoods"]
    assert second.renamed == []
    assert second.headings["alternative-livelihoods"] == "Alternative livelihoods"
    assert [t.section.key for t in texts(second.version)] == [
        "introduction",
        "violence",
        "digital-safety",
        "health-services",
    ]


def test_it_keeps_the_section_of_a_removed_section(document, first):
    removed = Section.objects.get(document=document, key="violence")
    source = markdown(("Introduction", INTRODUCTION), ("Alternative livelihoods", LIVELIHOODS), ("Health", HEALTH))

    import_markdown(document=document, source=source, label="Draft", allow_removal=True)

    assert Section.objects.filter(pk=removed.pk).exists()
    assert SectionText.objects.filter(section=removed, version=first.version).exists()


def test_it_reports_reordered_sections(document, first):
    source = markdown(
        ("1. Introduction", INTRODUCTION),
        ("2. Health services", HEALTH),
        ("3. Violence", VIOLENCE),
        ("4. Alternative livelihoods", LIVELIHOODS),
    )

    second = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert second.reordered == ["health-services"]
    assert second.unchanged == ["introduction", "health-services", "violence", "alternative-livelihoods"]
    assert [t.position for t in texts(second.version) if t.section.key == "health-services"] == [2]


def test_it_does_not_report_shifts_caused_by_an_insertion_as_reordering(document, first):
    source = markdown(
        ("Introduction", INTRODUCTION),
        ("A rights-based approach", "Sex workers hold rights, they are not a risk group."),
        ("Violence", VIOLENCE),
        ("Alternative livelihoods", LIVELIHOODS),
        ("Health services", HEALTH),
    )

    second = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert second.added == ["a-rights-based-approach"]
    assert second.reordered == []


def test_it_reports_a_renamed_section_with_an_explicit_key(document, first):
    source = markdown(
        ("1. Introduction", INTRODUCTION),
        ("2. Violence", VIOLENCE),
        ("3. Economic empowerment and labour rights {#alternative-livelihoods}", "A completely new text."),
        ("4. Health services", HEALTH),
    )
    section = Section.objects.get(document=document, key="alternative-livelihoods")

    second = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert second.renamed == [
        ("alternative-livelihoods", "Alternative livelihoods", "Economic empowerment and labour rights")
    ]
    assert "alternative-livelihoods" in second.changed
    assert second.added == second.removed == []
    assert texts(second.version)[2].section == section


def test_it_reports_a_reworded_heading_over_a_similar_body_as_renamed(document, first):
    reworded = LIVELIHOODS.replace("waste money", "waste public money").replace("respectful", "respectful of choice")
    source = markdown(
        ("1. Introduction", INTRODUCTION),
        ("2. Violence", VIOLENCE),
        ("3. Economic empowerment", reworded),
        ("4. Health services", HEALTH),
    )
    section = Section.objects.get(document=document, key="alternative-livelihoods")

    second = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert second.renamed == [("alternative-livelihoods", "Alternative livelihoods", "Economic empowerment")]
    assert second.changed == ["alternative-livelihoods"]
    assert second.added == [] and second.removed == []
    assert texts(second.version)[2].section == section
    assert not Section.objects.filter(key="economic-empowerment").exists()


def test_it_reports_a_new_heading_over_the_same_body_as_renamed_but_unchanged_body(document, first):
    source = markdown(
        ("Introduction", INTRODUCTION),
        ("Violence against sex workers", VIOLENCE),
        ("Alternative livelihoods", LIVELIHOODS),
        ("Health services", HEALTH),
    )

    second = import_markdown(document=document, source=source, label="Draft")

    assert second.renamed == [("violence", "Violence", "Violence against sex workers")]
    assert second.changed == ["violence"]


def test_it_does_not_take_a_different_body_for_a_renamed_section(document, first):
    source = markdown(
        ("1. Introduction", INTRODUCTION),
        ("2. Violence", VIOLENCE),
        ("3. Economic empowerment", "Sex work is work, and labour law should protect it like any other work."),
        ("4. Health services", HEALTH),
    )

    second = import_markdown(document=document, source=source, label="Reworked draft 1", allow_removal=True)

    assert second.renamed == []
    assert second.added == ["economic-empowerment"]
    assert second.removed == ["alternative-livelihoods"]


def test_it_does_not_rename_onto_a_section_with_an_explicit_new_key(document, first):
    source = markdown(
        ("Introduction", INTRODUCTION),
        ("Violence", VIOLENCE),
        ("Economic empowerment {#economic-empowerment}", LIVELIHOODS),
        ("Health services", HEALTH),
    )

    second = import_markdown(document=document, source=source, label="Draft", allow_removal=True)

    assert second.added == ["economic-empowerment"]
    assert second.removed == ["alternative-livelihoods"]


def test_it_brings_back_a_section_removed_in_an_earlier_version(document, first):
    without = markdown(("Introduction", INTRODUCTION), ("Health services", HEALTH), title="")
    import_markdown(document=document, source=without, label="Draft 1", allow_removal=True)
    violence = Section.objects.get(document=document, key="violence")

    third = import_markdown(document=document, source=FIRST, label="Draft 2")

    assert "violence" in third.added
    assert texts(third.version)[1].section == violence
    assert Section.objects.filter(document=document).count() == 4


def test_it_compares_with_the_newest_version_in_the_same_language(document, first):
    french = markdown(("Introduction {#introduction}", "Les travailleuses du sexe..."), title="")
    import_markdown(document=document, source=french, label="Version française", language="fr")
    second = import_markdown(document=document, source=FIRST, label="Reworked draft 1")

    assert second.previous == first.version
    assert second.version.number == 3
    assert second.unchanged == ["introduction", "violence", "alternative-livelihoods", "health-services"]


def test_it_keeps_other_documents_sections_apart(document, first):
    other = factories.DocumentFactory(slug="other-note")

    report = import_markdown(document=other, source=FIRST, label="Original text")

    assert report.added == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert Section.objects.filter(key="violence").count() == 2


# --- Refusals leave the database unchanged ---------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        (b"", "empty"),
        ("   \n\n\t  \n", "blank"),
        ("Just a paragraph.\n\nAnd another one, without headings.", "no headings"),
        ("## A\n\n## B\n\n## A\n", "'a' is used twice"),
        ("## Права\n", "Line 1"),
        ("## Heading {#Not Valid}\n", "not valid"),
    ],
)
def test_it_refuses_a_file_it_cannot_split(document, first, source, message):
    before = rows()

    with pytest.raises(ImportRefused, match=message):
        import_markdown(document=document, source=source, label="Reworked draft 1")

    assert rows() == before


def test_it_refuses_bytes_that_are_not_utf8_naming_the_offset(document, first):
    source = "## Accès\n\nBien.".encode("latin-1")
    before = rows()

    with pytest.raises(ImportRefused) as refusal:
        import_markdown(document=document, source=source, label="Reworked draft 1")

    message = str(refusal.value)
    assert "not UTF-8" in message
    assert "offset 6" in message
    assert "0xE8" in message
    assert rows() == before


def test_it_refuses_a_label_the_document_already_has_in_that_language(document, first):
    before = rows()

    with pytest.raises(ImportRefused, match="already has a version labelled 'Original text'"):
        import_markdown(document=document, source=FIRST, label="Original text")

    assert rows() == before


def test_it_accepts_the_same_label_in_another_document(first):
    other = factories.DocumentFactory(slug="another")

    report = import_markdown(document=other, source=FIRST, label="Original text")

    assert report.version.number == 1


def test_it_refuses_a_number_the_document_already_has(document, first):
    before = rows()

    with pytest.raises(ImportRefused, match="already has a version 1"):
        import_markdown(document=document, source=FIRST, label="Again", number=1)

    assert rows() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"label": "  "}, "label"),
        ({"label": "x" * 201}, "at most 200"),
        ({"kind": "final"}, "Unknown kind"),
        ({"language": "de"}, "Unknown language"),
    ],
)
def test_it_refuses_bad_version_details(document, options, message):
    before = rows()
    arguments = {"document": document, "source": FIRST, "label": "Draft", **options}

    with pytest.raises(ImportRefused, match=message):
        import_markdown(**arguments)

    assert rows() == before


def test_it_refuses_to_remove_a_section_in_use(document, first, settings):
    settings.GUIDANCE_SECTIONS_IN_USE = "tests.guidance.test_importer.violence_in_use"
    source = markdown(("Introduction", INTRODUCTION), ("Alternative livelihoods", LIVELIHOODS), ("Health", HEALTH))
    before = rows()

    with pytest.raises(ImportRefused) as refusal:
        import_markdown(document=document, source=source, label="Reworked draft 1")

    message = str(refusal.value)
    assert "'violence'" in message
    assert "in use" in message
    assert "'health-services'" not in message
    assert rows() == before


def test_it_asks_the_guard_only_about_the_sections_it_would_remove(document, first, settings, monkeypatch):
    asked = []

    def guard(sections):
        asked.append(sorted(sections.values_list("key", flat=True)))
        return set()

    monkeypatch.setattr("tests.guidance.test_importer.violence_in_use", guard)
    settings.GUIDANCE_SECTIONS_IN_USE = "tests.guidance.test_importer.violence_in_use"
    source = markdown(("Introduction", INTRODUCTION), ("Alternative livelihoods", LIVELIHOODS))

    report = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert asked == [["health-services", "violence"]]
    assert report.removed == ["violence", "health-services"]


def test_it_removes_a_section_in_use_when_allowed(document, first, settings):
    settings.GUIDANCE_SECTIONS_IN_USE = "tests.guidance.test_importer.every_section_in_use"
    source = markdown(
        ("Introduction", INTRODUCTION), ("Alternative livelihoods", LIVELIHOODS), ("Health", "All new text on care.")
    )

    report = import_markdown(document=document, source=source, label="Reworked draft 1", allow_removal=True)

    assert report.removed == ["violence", "health-services"]
    assert report.added == ["health"]
    assert Version.objects.filter(document=document).count() == 2


def test_it_removes_sections_not_in_use_without_asking_for_permission(document, first):
    source = markdown(("Introduction", INTRODUCTION))

    report = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert report.removed == ["violence", "alternative-livelihoods", "health-services"]


def test_it_does_not_count_a_renamed_section_as_removed_for_the_guard(document, first, settings):
    settings.GUIDANCE_SECTIONS_IN_USE = "tests.guidance.test_importer.every_section_in_use"
    source = markdown(
        ("Introduction", INTRODUCTION),
        ("Violence and safety", VIOLENCE),
        ("Alternative livelihoods", LIVELIHOODS),
        ("Health services", HEALTH),
    )

    report = import_markdown(document=document, source=source, label="Reworked draft 1")

    assert report.renamed == [("violence", "Violence", "Violence and safety")]


def test_the_default_guard_reports_no_section_in_use(first):
    assert no_sections_in_use(Section.objects.all()) == set()


# --- Translations ----------------------------------------------------------------------------------

FRENCH_BY_KEY = markdown(
    ("1. Introduction {#introduction}", "Les travailleuses du sexe sont en première ligne."),
    ("2. Violences {#violence}", "Les violences augmentent le risque."),
    ("3. Autres moyens de subsistance {#alternative-livelihoods}", "Les programmes de « réinsertion »..."),
    ("4. Services de santé {#health-services}", "Prévention, dépistage, traitement."),
    title="# Note d'orientation",
)

RUSSIAN_BY_POSITION = markdown(
    ("1. Введение", "Секс-работники были в первых рядах."),
    ("2. Насилие", "Насилие повышает риск."),
    ("3. Альтернативные источники дохода", "Программы «реабилитации»..."),
    ("4. Медицинские услуги", "Профилактика, тестирование, лечение."),
    title="",
)


def test_it_imports_a_translation_by_explicit_key(document, first):
    report = import_markdown(
        document=document, source=FRENCH_BY_KEY, label="Texte original", language="fr", translation_of=first.version
    )

    version = report.version
    assert (version.number, version.language, version.translation_of) == (1, "fr", first.version)
    assert [(t.section.key, t.heading) for t in texts(version)] == [
        ("introduction", "Introduction"),
        ("violence", "Violences"),
        ("alternative-livelihoods", "Autres moyens de subsistance"),
        ("health-services", "Services de santé"),
    ]
    assert report.added == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert Section.objects.filter(document=document).count() == 4


def test_it_imports_a_translation_by_position(document, first):
    report = import_markdown(
        document=document, source=RUSSIAN_BY_POSITION, label="Оригинал", language="ru", translation_of=first.version
    )

    stored = texts(report.version)
    assert [t.section.key for t in stored] == ["introduction", "violence", "alternative-livelihoods", "health-services"]
    assert stored[1].heading == "Насилие"
    assert stored[1].number == "2"
    assert Section.objects.filter(document=document).count() == 4


def test_it_imports_part_of_a_version_translated_by_key(document, first):
    source = markdown(("Violences {#violence}", "Les violences."), title="")

    report = import_markdown(
        document=document, source=source, label="Extrait", language="fr", translation_of=first.version
    )

    assert [t.section.key for t in texts(report.version)] == ["violence"]


def test_it_compares_a_translation_with_the_previous_one_in_its_language(document, first):
    import_markdown(
        document=document, source=FRENCH_BY_KEY, label="Texte original", language="fr", translation_of=first.version
    )
    second = import_markdown(document=document, source=FIRST, label="Reworked draft 1")
    changed = FRENCH_BY_KEY.replace("Les violences augmentent le risque.", "Les violences policières tuent.")

    report = import_markdown(
        document=document, source=changed, label="Projet 1", language="fr", translation_of=second.version
    )

    assert report.version.number == 2
    assert report.changed == ["violence"]
    assert report.unchanged == ["introduction", "alternative-livelihoods", "health-services"]


@pytest.mark.parametrize(
    ("language", "message"),
    [(None, "Say which language"), ("en", "is the language of version 1"), ("xx", "Unknown language")],
)
def test_it_refuses_a_translation_without_another_known_language(document, first, language, message):
    before = rows()

    with pytest.raises(ImportRefused, match=message):
        import_markdown(
            document=document, source=FRENCH_BY_KEY, label="Traduction", language=language, translation_of=first.version
        )

    assert rows() == before


def test_it_refuses_translated_keys_that_are_not_in_the_source(document, first):
    source = FRENCH_BY_KEY.replace("{#violence}", "{#violences-policieres}")
    before = rows()

    with pytest.raises(ImportRefused, match="'violences-policieres' \\(line 7\\)"):
        import_markdown(document=document, source=source, label="T", language="fr", translation_of=first.version)

    assert rows() == before


def test_it_refuses_a_translation_by_position_with_another_number_of_sections(document, first):
    source = RUSSIAN_BY_POSITION + "\n## 5. Лишний раздел\n\nНовый раздел.\n"  # noqa: RUF001
    before = rows()

    with pytest.raises(ImportRefused, match="5 sections and version 1 has 4"):
        import_markdown(document=document, source=source, label="Перевод", language="ru", translation_of=first.version)

    assert rows() == before


def test_it_refuses_a_translation_whose_explicit_key_is_out_of_place(document, first):
    source = RUSSIAN_BY_POSITION.replace("## 2. Насилие", "## 2. Насилие {#health-services}")

    with pytest.raises(ImportRefused, match="section 2 of version 1 \\('violence'\\)"):
        import_markdown(document=document, source=source, label="Перевод", language="ru", translation_of=first.version)


def test_it_refuses_to_translate_a_translation(document, first):
    french = import_markdown(
        document=document, source=FRENCH_BY_KEY, label="Texte original", language="fr", translation_of=first.version
    )
    before = rows()

    with pytest.raises(ImportRefused, match="itself a translation"):
        import_markdown(
            document=document, source=RUSSIAN_BY_POSITION, label="Перевод", language="ru", translation_of=french.version
        )

    assert rows() == before


def test_it_refuses_a_second_translation_into_the_same_language(document, first):
    import_markdown(document=document, source=FRENCH_BY_KEY, label="Texte", language="fr", translation_of=first.version)
    before = rows()

    with pytest.raises(ImportRefused, match="already has a translation into 'fr' of version 1"):
        import_markdown(
            document=document, source=FRENCH_BY_KEY, label="Texte bis", language="fr", translation_of=first.version
        )

    assert rows() == before


def test_it_refuses_a_translation_of_another_documents_version(first):
    other = factories.DocumentFactory(slug="other")

    with pytest.raises(ImportRefused, match="another document"):
        import_markdown(document=other, source=FRENCH_BY_KEY, label="T", language="fr", translation_of=first.version)


def test_it_refuses_a_translation_with_another_number(document, first):
    with pytest.raises(ImportRefused, match="carries the number"):
        import_markdown(
            document=document,
            source=FRENCH_BY_KEY,
            label="T",
            language="fr",
            translation_of=first.version,
            number=4,
        )


# --- A large file ----------------------------------------------------------------------------------


def test_it_imports_a_five_megabyte_file(document):
    source = big_note(400, paragraphs=23).encode()
    assert len(source) >= 5_000_000

    report = import_markdown(document=document, source=source, label="Long draft")

    assert report.section_count == 400
    assert SectionText.objects.filter(version=report.version).count() == 400
    assert Section.objects.filter(document=document).count() == 400
    last = SectionText.objects.get(version=report.version, position=400)
    assert last.number == "400"
    assert last.body_html.count("<p>") == 23


# --- The command -----------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("import_guidance", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def write(tmp_path):
    def write(text: str | bytes, name: str = "note.md"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_the_command_imports_and_prints_a_summary(document, write):
    out, _err = run(write(FIRST), "--document", "the-note", "--label", "Original text", "--kind", "original")

    assert "added      introduction: Introduction" in out
    assert 'Imported version 1 "Original text" (en) of the-note' in out
    assert "4 sections: 4 added, 0 changed, 0 renamed, 0 reordered, 0 removed, 0 unchanged." in out
    assert Version.objects.get(document=document).kind == "original"


def test_the_command_prints_each_kind_of_change(document, first, write):
    source = markdown(
        ("1. Introduction", INTRODUCTION + " More."),
        ("2. Health services", HEALTH),
        ("3. Violence", VIOLENCE),
        ("4. Economic empowerment", LIVELIHOODS + " Paid."),
        ("5. Digital safety", "New risks online."),
    )

    out, _err = run(write(source), "--document", "the-note", "--label", "Reworked draft 1")

    assert 'Compared with version 1 "Original text" (en).' in out
    assert "  added      digital-safety: Digital safety" in out
    assert "  changed    introduction: Introduction" in out
    assert '  renamed    alternative-livelihoods: "Alternative livelihoods" -> "Economic empowerment"' in out
    assert "  reordered  health-services: Health services" in out
    assert "removed" not in out.replace("0 removed", "")
    assert "5 sections: 1 added, 2 changed, 1 renamed, 1 reordered, 0 removed, 2 unchanged." in out


def test_the_command_prints_removed_sections(document, first, write):
    out, _err = run(write(markdown(("Introduction", INTRODUCTION))), "--document", "the-note", "--label", "Short")

    assert "  removed    violence: Violence" in out
    assert "  removed    health-services: Health services" in out
    assert "3 removed" in out


def test_the_command_turns_a_refusal_into_a_command_error(document, first, write):
    before = rows()

    with pytest.raises(CommandError, match="already has a version labelled 'Original text'"):
        run(write(FIRST), "--document", "the-note", "--label", "Original text")

    assert rows() == before


def test_the_command_refuses_a_file_that_is_not_utf8(document, write):
    path = write("## Accès\n".encode("cp1252"))

    with pytest.raises(CommandError, match="not UTF-8"):
        run(path, "--document", "the-note", "--label", "v1")

    assert Version.objects.count() == 0


def test_the_command_refuses_to_remove_sections_in_use_unless_allowed(document, first, write, settings):
    settings.GUIDANCE_SECTIONS_IN_USE = "tests.guidance.test_importer.every_section_in_use"
    path = write(markdown(("Introduction", INTRODUCTION)))
    before = rows()

    with pytest.raises(CommandError, match="in use"):
        run(path, "--document", "the-note", "--label", "Short")
    assert rows() == before

    out, _err = run(path, "--document", "the-note", "--label", "Short", "--allow-removal")
    assert "3 removed" in out


def test_the_command_refuses_an_unknown_document_without_title(write):
    with pytest.raises(CommandError, match=r"no document 'missing'.*--title"):
        run(write(FIRST), "--document", "missing", "--label", "v1")

    assert rows() == (0, 0, 0, 0)


def test_the_command_creates_the_document_with_a_title(write):
    out, _err = run(write(FIRST), "--document", "new-note", "--label", "v1", "--title", "A new note")

    document = Document.objects.get(slug="new-note")
    assert document.title == "A new note"
    assert document.versions.count() == 1
    assert "Created the document 'new-note'." in out


def test_the_command_does_not_keep_a_new_document_when_the_import_is_refused(write):
    with pytest.raises(CommandError, match="no headings"):
        run(write("No headings here."), "--document", "new-note", "--label", "v1", "--title", "A new note")

    assert not Document.objects.filter(slug="new-note").exists()


def test_the_command_refuses_a_missing_file(document, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "nowhere.md"), "--document", "the-note", "--label", "v1")


def test_the_command_dry_run_saves_nothing(document, first, write):
    source = markdown(("Introduction", INTRODUCTION), ("Digital safety", "New."))
    before = rows()

    out, _err = run(write(source), "--document", "the-note", "--label", "Draft", "--dry-run")

    assert rows() == before
    assert "Dry run, nothing saved: would import version 2" in out
    assert "  added      digital-safety: Digital safety" in out
    assert "  removed    violence: Violence" in out


def test_the_command_dry_run_does_not_create_the_document(write):
    out, _err = run(write(FIRST), "--document", "new-note", "--label", "v1", "--title", "New", "--dry-run")

    assert rows() == (0, 0, 0, 0)
    assert "Would create the document 'new-note'." in out


def test_the_command_imports_a_translation(document, first, write):
    path = write(FRENCH_BY_KEY)

    out, _err = run(path, "--document", "the-note", "--label", "Texte", "--language", "fr", "--translation-of", "1")

    version = Version.objects.get(document=document, language="fr")
    assert version.translation_of == first.version
    assert version.kind == "original"
    assert "a translation of version 1" in out


def test_the_command_refuses_to_translate_a_missing_version(document, first, write):
    with pytest.raises(CommandError, match="no version 9 to translate"):
        run(write(FRENCH_BY_KEY), "--document", "the-note", "--label", "T", "--language", "fr", "--translation-of", "9")


def test_the_command_refuses_a_translation_without_language(document, first, write):
    with pytest.raises(CommandError, match="Say which language"):
        run(write(FRENCH_BY_KEY), "--document", "the-note", "--label", "T", "--translation-of", "1")


def test_the_command_shows_progress_for_long_files(document, write):
    _out, err = run(write(big_note(120)), "--document", "the-note", "--label", "Long")

    progress = [line for line in err.splitlines() if line.startswith("Importing sections:")]
    assert 5 <= len(progress) <= 21
    assert progress[-1] == "Importing sections: 120/120"
    assert progress[0] == "Importing sections: 6/120"


def test_the_command_shows_no_progress_for_short_files(document, write):
    _out, err = run(write(big_note(50)), "--document", "the-note", "--label", "Short")

    assert "Importing sections" not in err


def test_the_command_prints_notes_on_stderr(document, write):
    _out, err = run(write("# Title\n\nStray text.\n\n## A\n\ntext\n"), "--document", "the-note", "--label", "v1")

    assert "Note: Line 1: '# Title' is taken as the document's title and skipped." in err
    assert "left out" in err


# --- One parser: what splits a file is what renders it -------------------------------------------


def _split_and_rendered(source: str) -> tuple[list[str], list[str]]:
    """The sections the importer finds, and the top-level headings the renderer makes of the same text."""
    sections = [section.heading for section in parse_markdown(source)]
    html = render_markdown(source)
    return sections, html


@pytest.mark.parametrize(
    ("source", "sections", "not_a_heading"),
    [
        # No space after the '#': a paragraph in CommonMark, for the renderer and the splitter alike.
        ("## One\n\ntext\n\n##Two\n\nmore", ["One"], "<p>##Two</p>"),
        # Inside an HTML block, '## Inside' is the block's text, not a heading.
        ("## One\n\n<div>\n## Inside\n</div>\n\n## Two\n\ntext", ["One", "Two"], "## Inside"),
        # Inside a fenced code block.
        ("## One\n\n```\n## Code\n```\n\n## Two", ["One", "Two"], "## Code"),
        # Inside a quote or a list item: part of the section's text.
        ("## One\n\n> ## Quoted\n\n- ## Listed\n\n## Two", ["One", "Two"], None),
    ],
)
def test_a_heading_is_a_section_exactly_when_the_renderer_makes_it_a_heading(source, sections, not_a_heading):
    found, html = _split_and_rendered(source)
    assert found == sections
    # The same file rendered whole: one top-level heading per section, none for the rest.
    top_level = re.sub(r"<(blockquote|li)>[\s\S]*?</\1>", "", html)
    assert top_level.count("<h3>") == len(sections)
    if not_a_heading:
        assert not_a_heading in html


def test_setext_headings_start_sections_as_they_render_as_headings():
    source = "One\n===\n\ntext\n\nTwo\n===\n\nmore"
    found, html = _split_and_rendered(source)
    assert found == ["One", "Two"]
    assert html.count("<h3>") == 2


def test_closing_hashes_and_explicit_keys_are_read_from_the_parsed_heading():
    sections = parse_markdown("## 1. One ##\n\ntext\n\n## Two {#second} ##\n\nmore")
    assert [(s.number, s.heading, s.key) for s in sections] == [("1", "One", "one"), ("", "Two", "second")]


def test_a_fence_never_closed_is_noted_and_hides_the_headings_after_it(document):
    report = import_markdown(document=document, source="## One\n\n```\n## Not a section\n", label="v1")
    assert any("never closed" in note for note in report.notes)
    assert report.added == ["one"]


def test_body_headings_never_skip_a_level_on_the_section_page(client, document):
    report = import_markdown(
        document=document,
        source="## One\n\n#### Deep\n\n###### Deeper\n\n## Two\n\ntext",
        label="v1",
        published=datetime(2026, 1, 1, tzinfo=UTC),
    )
    text = texts(report.version)[0]
    assert text.body_html == "<h3>Deep</h3>\n<h4>Deeper</h4>"
    page = client.get(text.section.get_absolute_url()).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page.split("<main", 1)[1])]
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels))
