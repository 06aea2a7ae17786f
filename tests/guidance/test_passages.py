"""Passages keep their anchors across versions: matched by content, not by position."""

from __future__ import annotations

import pytest

from guidance.importer import import_markdown
from guidance.models import Document, SectionText, Version
from guidance.passages import assign_keys, of_markdown
from guidance.rendering import render_blocks, render_markdown

ACCESS = "Sex workers must have access to HIV services without fear of arrest or police harassment."
RIGHTS = "Programmes are designed and led by sex workers, whose rights are the basis of every measure."
MONEY = "Funding goes to community-led organisations for at least five years at a time, not project by project."
DATA = "No data that identifies a person is collected, shared with the police, or kept after the service."


def note(*paragraphs: str, extra: str = "") -> str:
    body = "\n\n".join(paragraphs)
    return f"# Guidance Note\n\n## Services {{#services}}\n\n{body}\n\n{extra}"


def anchors(version: Version) -> dict[str, str]:
    """Each passage's words by anchor, in the one section of the note."""
    text = SectionText.objects.get(version=version, section__key="services")
    return {p.key: p.text for p in text.passage_list() if p.key}


def by_words(version: Version) -> dict[str, str]:
    return {words: key for key, words in anchors(version).items()}


@pytest.fixture
def document(db):
    return Document.objects.create(slug="note", title="Guidance Note")


@pytest.fixture
def first(document):
    return import_markdown(document=document, source=note(ACCESS, RIGHTS, MONEY), label="One").version


def test_every_paragraph_list_and_quote_gets_an_anchor_and_headings_none():
    body = f"{ACCESS}\n\n### Funding\n\n- one\n- two\n\n> {MONEY}\n"
    blocks = render_blocks(body)
    passages = of_markdown(body, [])
    assert [bool(p.key) for p in passages] == [True, False, True, True]
    assert len({p.key for p in passages if p.key}) == 3
    assert [b.text for b in blocks] == [ACCESS, "Funding", "one two", MONEY]
    # Joined, the passages are the body as a whole renders it.
    assert "\n".join(b.html for b in blocks) == render_markdown(body)


def test_anchors_survive_a_reordered_section(document, first):
    before = by_words(first)
    second = import_markdown(document=document, source=note(MONEY, ACCESS, RIGHTS), label="Two").version
    assert by_words(second) == before


def test_an_edited_paragraph_keeps_its_anchor_and_a_new_one_gets_its_own(document, first):
    before = by_words(first)
    edited = ACCESS.replace("without fear of arrest", "free of charge, without fear of arrest")
    second = import_markdown(document=document, source=note(edited, DATA, RIGHTS, MONEY), label="Two").version
    after = by_words(second)
    assert after[edited] == before[ACCESS]
    assert after[RIGHTS] == before[RIGHTS] and after[MONEY] == before[MONEY]
    assert after[DATA] not in before.values()


def test_a_split_paragraph_keeps_its_anchor_on_the_closer_half(document):
    whole = f"{ACCESS} {RIGHTS} {MONEY}"
    first = import_markdown(document=document, source=note(whole, DATA), label="One").version
    (old_key,) = [key for key, words in anchors(first).items() if words == whole]
    # The longer half carries most of the old words; the shorter one starts afresh.
    second = import_markdown(document=document, source=note(f"{ACCESS} {RIGHTS}", MONEY, DATA), label="Two").version
    after = by_words(second)
    assert after[f"{ACCESS} {RIGHTS}"] == old_key
    assert after[MONEY] != old_key
    assert after[DATA] == by_words(first)[DATA]


def test_a_removed_paragraph_takes_its_anchor_with_it(document, first):
    before = by_words(first)
    second = import_markdown(document=document, source=note(ACCESS, MONEY), label="Two").version
    assert before[RIGHTS] not in anchors(second)
    assert set(anchors(second)) == {before[ACCESS], before[MONEY]}


def test_a_rewritten_paragraph_is_a_new_passage():
    keys = assign_keys([DATA], [("p-aaaaaa", ACCESS)])
    assert keys != ["p-aaaaaa"]


def test_two_identical_paragraphs_get_two_anchors():
    keys = assign_keys([ACCESS, ACCESS], [])
    assert len(set(keys)) == 2


def test_a_translation_takes_the_original_anchors_by_position(document, first):
    french = import_markdown(
        document=document,
        source=note("Accès aux services.", "Programmes menés par les travailleuses du sexe.", "Financement durable."),
        label="Un",
        language="fr",
        translation_of=first,
    ).version
    assert list(anchors(french)) == list(anchors(first))


def test_the_section_page_anchors_each_passage_with_links_to_comment_and_amend(client, document, first):
    first.published = first.created
    first.save()
    key = by_words(first)[RIGHTS]
    page = client.get("/note/note/sections/services/").content.decode()
    assert f'id="{key}"' in page
    assert f'href="?passage={key}#comment-form"' in page
    assert f'href="?passage={key}&amp;kind=amend#comment-form"' in page
