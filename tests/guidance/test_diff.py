"""Word diffs and version comparisons."""

from __future__ import annotations

import html
import random
import re

import pytest
from django.utils.safestring import SafeString

from guidance.diff import (
    ADDED,
    REMOVED,
    SAME,
    Status,
    compare_versions,
    diff_segments,
    side_by_side_diff,
    tokenise,
    word_diff,
)
from guidance.models import Section, SectionText
from tests import factories


def side(diff: str, keep: str) -> str:
    """Rebuild one side of a diff: keep="old" drops insertions, keep="new" drops deletions."""
    drop = "ins" if keep == "old" else "del"
    text = re.sub(rf"<{drop}>.*?</{drop}>", "", diff, flags=re.DOTALL)
    text = re.sub(r"</?(ins|del)>", "", text)
    return html.unescape(text)


# --- word_diff ------------------------------------------------------------------------


def test_it_tokenises_words_whitespace_and_punctuation():
    assert tokenise("Sex work, is  work.\n") == ["Sex", " ", "work", ",", " ", "is", "  ", "work", ".", "\n"]


def test_it_keeps_apostrophes_inside_words():
    assert tokenise("don't l\u2019acc\u00e8s") == ["don't", " ", "l\u2019acc\u00e8s"]


def test_it_marks_nothing_for_identical_texts():
    diff = word_diff("Sex work is work.", "Sex work is work.")
    assert "<ins>" not in diff
    assert "<del>" not in diff
    assert diff == "Sex work is work."


def test_it_returns_safe_html():
    assert isinstance(word_diff("a", "b"), SafeString)
    assert isinstance(word_diff("a", "a"), SafeString)


def test_it_marks_one_changed_word_with_one_del_and_one_ins():
    diff = word_diff("Police must stop raids.", "Police must end raids.")
    assert diff.count("<del>") == 1
    assert diff.count("<ins>") == 1
    assert diff == "Police must <del>stop</del><ins>end</ins> raids."


def test_it_marks_an_insertion_only():
    diff = word_diff("Rights for sex workers.", "Rights for all sex workers.")
    assert "<del>" not in diff
    assert diff.count("<ins>") == 1
    assert "<ins>all </ins>" in diff or "<ins> all</ins>" in diff


def test_it_marks_a_deletion_only():
    diff = word_diff("Rights for all sex workers.", "Rights for sex workers.")
    assert "<ins>" not in diff
    assert diff.count("<del>") == 1


def test_it_marks_everything_inserted_when_the_old_text_is_empty():
    assert word_diff("", "New section.") == "<ins>New section.</ins>"


def test_it_marks_everything_deleted_when_the_new_text_is_empty():
    assert word_diff("Old section.", "") == "<del>Old section.</del>"


def test_it_treats_none_as_empty():
    assert word_diff(None, "x") == "<ins>x</ins>"


def test_it_keeps_whitespace_and_line_breaks():
    diff = word_diff("First line.\n\n  Second   line.", "First line.\n\n  Second   row.")
    assert diff == "First line.\n\n  Second   <del>line</del><ins>row</ins>."


def test_it_escapes_markup_in_changed_and_unchanged_text():
    old = "Keep <em>this</em>. Old <script>alert(1)</script>"
    new = "Keep <em>this</em>. New </div><b> <script>alert(2)</script>"
    diff = word_diff(old, new)
    assert "<script>" not in diff
    assert "</div><b>" not in diff
    assert "<em>" not in diff
    assert "&lt;script&gt;" in diff
    assert "&lt;/div&gt;&lt;b&gt;" in diff
    # The only tags left are the diff's own.
    assert set(re.findall(r"</?([a-z]+)", diff)) <= {"ins", "del"}


def test_it_escapes_identical_texts_too():
    assert word_diff("<b>x</b>", "<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"


def test_it_escapes_quotes():
    assert "&quot;" in word_diff('say "no"', 'say "yes"')


def test_it_finds_one_change_in_a_long_body():
    words = [f"word{i}" for i in range(3000)]
    old = " ".join(words)
    words[1500] = "changed"
    diff = word_diff(old, " ".join(words))
    assert diff.count("<del>") == 1
    assert diff.count("<ins>") == 1
    assert "<del>word1500</del><ins>changed</ins>" in diff


def test_it_keeps_unchanged_sentences_out_of_a_rewrite():
    old = "Sex work is work. The police must stop raids. Health services must be free."
    new = "Sex work is work. Raids put lives in danger and must end. Health services must be free."
    diff = word_diff(old, new)
    assert diff.startswith("Sex work is work. ")
    assert diff.endswith(" Health services must be free.")


@pytest.mark.parametrize("seed", range(8))
def test_it_can_rebuild_both_texts_from_the_diff(seed):
    rng = random.Random(seed)
    vocabulary = ["sex", "workers", "rights", "HIV", "<b>", "&", "police", ".", ",", "\n\n", "l\u2019acc\u00e8s"]

    def text(n):
        return " ".join(rng.choice(vocabulary) for _ in range(n))

    old = text(rng.randint(0, 600))
    new_words = old.split(" ")
    for _ in range(rng.randint(0, 40)):
        new_words.insert(rng.randint(0, len(new_words)), rng.choice(vocabulary))
        if new_words:
            del new_words[rng.randrange(len(new_words))]
    new = " ".join(new_words) if seed % 2 else text(rng.randint(0, 600))
    diff = word_diff(old, new)
    assert side(diff, "old") == old
    assert side(diff, "new") == new


def test_it_rebuilds_both_sides_of_a_long_rewrite():
    rng = random.Random(42)
    words = ["access", "to", "services", "the", "and", "of", "community", "health", "law"]
    old = ". ".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(300))
    new = ". ".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(300))
    diff = word_diff(old, new)
    assert side(diff, "old") == old
    assert side(diff, "new") == new


# --- side by side ---------------------------------------------------------------------

HIDDEN_LABEL = re.compile(r'<span class="visually-hidden">[^<]*</span>')


def plain(side_html: str) -> str:
    """One column of a side-by-side diff as the text it shows: marks and hidden labels taken out."""
    return html.unescape(re.sub(r"</?(ins|del)>", "", HIDDEN_LABEL.sub("", side_html)))


def test_it_gives_each_side_of_a_diff_its_own_marks():
    sides = side_by_side_diff("Police must stop raids.", "Police must end all raids.")
    assert sides.old == 'Police must <del><span class="visually-hidden">removed: </span>stop</del> raids.'
    assert "<ins>" not in sides.old
    assert "<del>" not in sides.new
    assert sides.new.count("<ins>") == 1
    assert '<ins><span class="visually-hidden">added: </span>end all</ins>' in sides.new
    assert isinstance(sides.old, SafeString)
    assert isinstance(sides.new, SafeString)


def test_it_marks_nothing_side_by_side_for_identical_texts():
    sides = side_by_side_diff("Sex work is work.", "Sex work is work.")
    assert sides.old == sides.new == "Sex work is work."


def test_it_leaves_the_missing_side_empty():
    assert side_by_side_diff("", "A new section.").old == ""
    assert side_by_side_diff("An old section.", None).new == ""


def test_it_escapes_markup_side_by_side():
    sides = side_by_side_diff("<b>old</b> & more", '<script>alert("x")</script> & more')
    assert "<b>" not in sides.old
    assert "<script>" not in sides.new
    assert plain(sides.old) == "<b>old</b> & more"
    assert plain(sides.new) == '<script>alert("x")</script> & more'


def test_it_reads_the_same_segments_inline_and_side_by_side():
    old = "Sex work is work. The police must stop raids. Health services must be free."
    new = "Sex work is work. Raids put lives in danger and must end. Health services must be free."
    segments = diff_segments(old, new)
    assert {kind for kind, _ in segments} == {SAME, REMOVED, ADDED}
    assert "".join(text for kind, text in segments if kind != ADDED) == old
    assert "".join(text for kind, text in segments if kind != REMOVED) == new
    sides = side_by_side_diff(old, new)
    assert plain(sides.old) == side(word_diff(old, new), "old") == old
    assert plain(sides.new) == new


@pytest.mark.parametrize("seed", range(4))
def test_it_rebuilds_each_column_of_a_side_by_side_diff(seed):
    rng = random.Random(seed)
    vocabulary = ["sex", "workers", "rights", "<i>", "&", "police", ".", "\n", "l\u2019acc\u00e8s"]
    old = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 300)))
    new = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 300)))
    sides = side_by_side_diff(old, new)
    assert plain(sides.old) == old
    assert plain(sides.new) == new


# --- compare_versions -------------------------------------------------------------------


def add_text(version, key, position, heading=None, body=None):
    section, _ = Section.objects.get_or_create(document=version.document, key=key)
    return factories.SectionTextFactory(
        version=version,
        section=section,
        position=position,
        heading=heading or key.capitalize(),
        body_markdown=body if body is not None else f"About {key}.",
        body_html=f"<p>About {key}.</p>",
    )


@pytest.fixture
def two_versions(db):
    document = factories.DocumentFactory(slug="note")
    a = factories.VersionFactory(document=document, number=1, kind="original")
    b = factories.VersionFactory(document=document, number=2)
    add_text(a, "same", 1)
    add_text(a, "reworded", 2, body="Police must stop raids.")
    add_text(a, "renamed", 3, heading="Old heading")
    add_text(a, "dropped", 4)
    add_text(b, "same", 1)
    add_text(b, "reworded", 2, body="Police must end raids.")
    add_text(b, "renamed", 3, heading="New heading")
    add_text(b, "fresh", 4, body="A new <script>alert(1)</script> section.")
    return a, b


def keys(changes):
    return [change.key for change in changes]


def test_it_lists_each_kind_of_change(two_versions):
    comparison = compare_versions(*two_versions)
    assert keys(comparison.unchanged) == ["same"]
    assert keys(comparison.changed) == ["reworded"]
    assert keys(comparison.renamed) == ["renamed"]
    assert keys(comparison.added) == ["fresh"]
    assert keys(comparison.removed) == ["dropped"]
    assert comparison.moved == []
    assert comparison.has_changes


def test_it_counts_the_changes(two_versions):
    counts = compare_versions(*two_versions).counts
    assert counts == {"changed": 1, "added": 1, "removed": 1, "renamed": 1, "moved": 0, "unchanged": 1}


def test_it_diffs_a_changed_section(two_versions):
    change = compare_versions(*two_versions).changed[0]
    assert change.body_diff == "Police must <del>stop</del><ins>end</ins> raids."
    assert not change.heading_changed


def test_it_diffs_a_renamed_section_heading(two_versions):
    change = compare_versions(*two_versions).renamed[0]
    assert change.heading_diff == "<del>Old</del><ins>New</ins> heading"
    assert not change.body_changed


def test_it_shows_an_added_section_as_inserted_and_escaped(two_versions):
    change = compare_versions(*two_versions).added[0]
    assert change.status == Status.ADDED
    assert change.body_diff == "<ins>A new &lt;script&gt;alert(1)&lt;/script&gt; section.</ins>"


def test_it_shows_a_removed_section_as_deleted(two_versions):
    change = compare_versions(*two_versions).removed[0]
    assert change.new is None
    assert change.body_diff == "<del>About dropped.</del>"


def test_it_runs_one_query_per_version(two_versions, django_assert_num_queries):
    with django_assert_num_queries(2):
        comparison = compare_versions(*two_versions)
        for change in comparison.changed + comparison.renamed + comparison.added + comparison.removed:
            str(change.body_diff)
            str(change.heading_diff)
            str(change.section.key)


def test_it_reports_a_section_that_changed_place(db):
    document = factories.DocumentFactory()
    a = factories.VersionFactory(document=document, number=1)
    b = factories.VersionFactory(document=document, number=2)
    for position, key in enumerate(["one", "two", "three", "four"], start=1):
        add_text(a, key, position)
    for position, key in enumerate(["one", "three", "four", "two"], start=1):
        add_text(b, key, position)
    comparison = compare_versions(a, b)
    assert keys(comparison.moved) == ["two"]
    assert keys(comparison.unchanged) == ["one", "three", "four"]


def test_it_does_not_call_sections_moved_when_one_is_inserted_before_them(db):
    document = factories.DocumentFactory()
    a = factories.VersionFactory(document=document, number=1)
    b = factories.VersionFactory(document=document, number=2)
    for position, key in enumerate(["one", "two", "three"], start=1):
        add_text(a, key, position)
    for position, key in enumerate(["new", "one", "two", "three"], start=1):
        add_text(b, key, position)
    comparison = compare_versions(a, b)
    assert comparison.moved == []
    assert keys(comparison.added) == ["new"]
    assert keys(comparison.unchanged) == ["one", "two", "three"]


def test_it_ignores_line_ending_and_trailing_space_noise(db):
    document = factories.DocumentFactory()
    a = factories.VersionFactory(document=document, number=1)
    b = factories.VersionFactory(document=document, number=2)
    add_text(a, "one", 1, body="Line one.\r\nLine two.  \n")
    add_text(b, "one", 1, body="Line one.\nLine two.")
    assert keys(compare_versions(a, b).unchanged) == ["one"]


def test_it_finds_nothing_between_a_version_and_itself(two_versions):
    comparison = compare_versions(two_versions[0], two_versions[0])
    assert not comparison.has_changes
    assert len(comparison.unchanged) == SectionText.objects.filter(version=two_versions[0]).count()
