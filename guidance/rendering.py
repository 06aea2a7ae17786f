"""Turn a section's Markdown body into sanitised HTML, once, at import time.

Coordinators write the Guidance Note in Markdown. It is rendered with the ``markdown``
package and then cleaned with ``nh3`` against an explicit allow-list, so whatever the
Markdown contains (raw HTML included) only plain, safe markup reaches a page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "ALLOWED_URL_SCHEMES", "LINK_REL", "render_markdown"]

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

_MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "fenced_code"]

# The page gives the document title h1 and the section heading h2, so headings written inside a
# body start at h3. Bodies may only hold headings deeper than their section's, whatever level that is.
_FIRST_BODY_HEADING_LEVEL = 3
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    # "*": no attribute is allowed on every tag (nh3 would otherwise keep ``lang`` and ``title`` anywhere).
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    link_rel=LINK_REL,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    strip_comments=True,
)


class _ShiftHeadings(Treeprocessor):
    """Shift a body's headings down so the shallowest becomes h3, keeping their relative depth (at most h6)."""

    def run(self, root: ET.Element) -> None:
        headings = [element for element in root.iter() if element.tag in _HEADING_TAGS]
        if not headings:
            return
        shift = _FIRST_BODY_HEADING_LEVEL - min(_HEADING_TAGS[element.tag] for element in headings)
        if shift <= 0:
            return
        for element in headings:
            element.tag = f"h{min(_HEADING_TAGS[element.tag] + shift, 6)}"


class _BodyHeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # the markdown package names it so
        md.treeprocessors.register(_ShiftHeadings(md), "guidance_shift_headings", 5)


def render_markdown(text: str) -> str:
    """Render a section body written in Markdown to sanitised HTML.

    The Markdown is rendered with the ``tables``, ``sane_lists`` and ``fenced_code`` extensions
    (``attr_list`` is deliberately not enabled, so a body cannot set ids, classes or other
    attributes), its headings are shifted so the shallowest is an ``h3``, and the result is
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
    converter = markdown.Markdown(extensions=[*_MARKDOWN_EXTENSIONS, _BodyHeadingsExtension()], output_format="html")
    html = converter.convert(text)
    return _cleaner.clean(html).strip()
