"""Turn a section's Markdown body into sanitised HTML, once, at import time.

Coordinators write the Guidance Note in Markdown. It is parsed by markdown-it-py (CommonMark, with
tables), the parser the importer also splits sections with, and the HTML is cleaned with ``nh3``
against an explicit allow-list, so whatever the Markdown contains (raw HTML included) only plain,
safe markup reaches a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import nh3
from markdown_it import MarkdownIt

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "LINK_REL",
    "Block",
    "plain_text",
    "render_blocks",
    "render_markdown",
]

#: Tags a rendered body may contain; everything else is stripped (its text is kept).
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "hr",
        "sup",
        "sub",
        "abbr",
    }
)

#: Attributes allowed per tag. ``rel`` on links is not taken from the input: it is always set to LINK_REL.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "abbr": {"title"},
}

#: URL schemes a link may use. Relative links (such as ``#another-section``) are kept.
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: The ``rel`` every link gets.
LINK_REL = "nofollow noopener"

# Tags removed together with everything inside them (their text is never shown).
_DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "textarea", "select"}
)

#: The one Markdown parser of the note: the importer splits a file into sections with its tokens and
#: the same tokens are rendered here, so what is a heading (and so a section) is the same for both.
#: CommonMark, with tables; raw HTML is parsed as such (and then cleaned by nh3 below).
PARSER = MarkdownIt("commonmark", {"html": True}).enable("table")

# The page gives the document title h1 and the section heading h2, so headings written inside a
# body start at h3 (the section page, whose h1 is the section's heading, lifts them by one level).
_FIRST_BODY_HEADING_LEVEL = 3
_LAST_HEADING_LEVEL = 6

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    # "*": no attribute is allowed on every tag (nh3 would otherwise keep ``lang`` and ``title`` anywhere).
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    link_rel=LINK_REL,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    strip_comments=True,
)


def _shift_headings(tokens: list) -> None:
    """Give a body's headings consecutive levels from h3 down, in the order of their written depth.

    The shallowest becomes h3, the next depth written h4, and so on (at most h6): a body that jumps
    from ## to #### no longer skips a level under the page's own headings.
    """
    levels = sorted({int(token.tag[1]) for token in tokens if token.type == "heading_open"})
    rank = {level: min(_FIRST_BODY_HEADING_LEVEL + index, _LAST_HEADING_LEVEL) for index, level in enumerate(levels)}
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{rank[int(token.tag[1])]}"


@dataclass(frozen=True)
class Block:
    """One top-level block of a rendered body: a paragraph, a list, a quote, a table, a heading..."""

    html: str
    text: str  # its words as a reader sees them (tags removed, spaces collapsed)
    heading: bool  # a heading is read, not commented on: it takes no anchor of its own


_TAG = re.compile(r"<[^>]*>")


def _plain(html: str) -> str:
    """The words of a piece of nh3's output (whose tags are exact), one space between them."""
    return " ".join(unescape(_TAG.sub(" ", html)).split())


_INLINE_TAG = re.compile(r"</?(?:a|abbr|code|em|strong|sub|sup)\b[^>]*>")


def plain_text(html: str) -> str:
    """A stored body's words as readers read them, without markup (what search matches and quotes).

    ``html`` is nh3's output (``body_html``), whose tags are exact: inline tags go without a trace
    (a link's text stays next to the full stop after it), the others part words; entities are read
    back (``&lt;`` is ``<`` again) and spaces collapsed. Nothing here is markup any more: a page
    showing it must escape it like any text.
    """
    return _plain(_INLINE_TAG.sub("", html))


def _top_level(tokens: list) -> list[list]:
    """Group a body's tokens into its top-level blocks (a paragraph's open, inline and close tokens...)."""
    groups: list[list] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(token)
        depth += token.nesting
    return groups


def render_blocks(text: str) -> list[Block]:
    """Render a section body block by block, each block sanitised as :func:`render_markdown` does.

    Joined, the blocks' HTML reads as the whole body's; apart, each is a passage readers can point
    to (guidance.passages gives each a stable anchor). Blocks that clean down to nothing are left out.
    """
    if not text or not text.strip():
        return []
    env: dict = {}
    tokens = PARSER.parse(text, env)
    _shift_headings(tokens)
    blocks = []
    for group in _top_level(tokens):
        html = _cleaner.clean(PARSER.renderer.render(group, PARSER.options, env)).strip()
        if html:
            blocks.append(Block(html=html, text=_plain(html), heading=group[0].type == "heading_open"))
    return blocks


def render_markdown(text: str) -> str:
    """Render a section body written in Markdown to sanitised HTML.

    The Markdown is parsed by :data:`PARSER` (CommonMark with tables; no syntax sets ids, classes or
    other attributes), its headings are given consecutive levels from ``h3``, and the result is
    cleaned by nh3 with an explicit allow-list (:data:`ALLOWED_TAGS`, :data:`ALLOWED_ATTRIBUTES`).
    Scripts, styles, iframes and similar elements are removed with their content; event handlers,
    ``style`` and any other attribute not on the list are dropped; links keep only ``http``,
    ``https``, ``mailto`` and relative URLs and always get ``rel="nofollow noopener"``.

    Args:
        text: the Markdown source of one section body.

    Returns:
        HTML safe to store and to show as is; an empty string for a blank body.
    """
    if not text or not text.strip():
        return ""
    tokens = PARSER.parse(text)
    _shift_headings(tokens)
    html = PARSER.renderer.render(tokens, PARSER.options, {})
    return _cleaner.clean(html).strip()


_HEADING_TAG = re.compile(r"<(/?)h([3-6])>")


def lift_headings(html: str) -> str:
    """A stored body's headings one level up (h3 becomes h2), for a page whose h1 is the section itself.

    Stored bodies are nh3's output, in which a heading tag carries no attribute: the tags are exact.
    """
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}>", html)
