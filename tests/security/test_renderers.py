"""Properties of the two renderers, over text hypothesis makes from hostile pieces.

Section bodies (``guidance.rendering.render_markdown``): Markdown rendered, then cleaned by nh3.
- The output holds only the section-body allow-list (tags, attributes, URL schemes).
- Idempotent: cleaning the output again with the same cleaner gives the same string, so what
  is stored is already in its final, sanitised form.

Comments (``comments.text``): plain text, escaped, made into paragraphs and links.
- The output holds only paragraphs, line breaks and http(s) links with their rel.
- ``clean_text`` is idempotent, and rendering the cleaned text gives the same HTML as rendering the
  raw text (what is stored renders as what was shown at submission).
- Idempotent as sanitised HTML: an nh3 cleaner with the comment allow-list leaves the document a
  browser builds from the output unchanged (nh3 writes entities its own way, so the parsed trees
  are compared, not the strings).
- Nothing typed is lost or turned into markup: the text a reader sees is the typed text, line
  for line (blank lines separate paragraphs).
"""

from __future__ import annotations

import html5lib
import nh3
from hypothesis import given
from hypothesis import strategies as st

from comments import text as comment_text
from comments.text import clean_text, render_text
from guidance import rendering
from guidance.rendering import render_markdown
from tests.security import markup

# Pieces that break renderers: markup, entity and URL tricks, Markdown syntax, whitespace and controls.
PIECES = [
    "<", ">", "&", "&amp;", "&#", "&#x3c;", "&lt;", ";", '"', "'", "`", "=", "/", "\\", ":", "(", ")", "[", "]",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=", "<a href='javascript:alert(1)'>",
    "<svg onload=alert(1)>", "<style>", "<!--", "-->", "<![CDATA[", "<p", "</p>", "<br>", "<abbr title=x>",
    "javascript:", "jav&#x09;ascript:", "data:text/html,", "vbscript:", "http://", "https://", "mailto:",
    "http://example.org/a?b=1&c=2", "https://example.org/(x)", "//example.org", "#",
    "[link](javascript:alert(1))", "[x](http://example.org)", "![i](x)", "<http://example.org>", "*", "_", "**",
    "# ", "## ", "1. ", "- ", "> ", "| a | b |\n|---|---|\n", "```\n", "~~~", "    ", "\n", "\n\n", "\r\n", "\r",
    "\t", " ", "\u00a0", "\u2028", "\u200f", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\x85", "é", "ж", "😀",
]  # fmt: skip
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=30).map("".join)

_comment_cleaner = nh3.Cleaner(
    tags=set(comment_text.ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in comment_text.ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https"},
    link_rel=None,
)


def _tree(html: str):
    """The document a browser builds from an HTML fragment, as nested tuples."""

    def walk(element):
        children = tuple(walk(child) for child in element)
        return (element.tag, tuple(sorted(element.attrib.items())), element.text or "", children, element.tail or "")

    return walk(html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False))


def _seen(html: str) -> list[str]:
    """The lines a reader sees in a rendered comment, without the blank ones."""
    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return [line for line in "".join(root.itertext()).split("\n") if line.strip()]


@given(hostile_text)
def test_a_section_body_holds_only_the_section_allow_list(text):
    assert markup.problems(render_markdown(text), markup.SECTION_BODY, fragment=True) == []


@given(hostile_text)
def test_cleaning_a_rendered_section_body_again_changes_nothing(text):
    html = render_markdown(text)
    assert rendering._cleaner.clean(html).strip() == html


@given(hostile_text)
def test_a_comment_holds_only_paragraphs_breaks_and_links(text):
    assert markup.problems(render_text(text), markup.COMMENT_TEXT, fragment=True) == []


@given(hostile_text)
def test_cleaning_comment_text_twice_is_cleaning_it_once(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert render_text(cleaned) == render_text(text)


@given(hostile_text)
def test_a_rendered_comment_is_already_sanitised(text):
    html = render_text(text)
    assert _tree(_comment_cleaner.clean(html)) == _tree(html)


@given(hostile_text)
def test_a_comment_reads_as_typed(text):
    typed = [line for line in clean_text(text).split("\n") if line.strip()]
    assert _seen(render_text(text)) == typed
