"""What markup a response of this site may hold, and a checker that parses a response and holds it to that.

A page may contain two kinds of markup, and nothing else:

- the markup of the site's own templates (and of the thread writer in comments/templatetags, and of
  the diff in guidance/diff.py), listed below tag by tag from reading them: what each template writes
  on purpose, not a recording of whatever responses happen to contain;
- what the sanitisers let through: ``guidance.rendering`` (section bodies written in Markdown) and
  ``comments.text`` (comments, plain text made into paragraphs and links).

Pages are parsed with html5lib, which follows the WHATWG parsing rules browsers use, so markup that
a browser would see as a tag is seen here too, however it is spelled. On top of the lists, a few rules
hold everywhere: no event handler (``on*``) and no ``style`` attribute; every URL-valued attribute is
relative or uses http, https or mailto; the only scripts are files under STATIC_URL, with no inline
code; the only inline style is the site's own stylesheet, byte for byte (campaign/lib/stylesheet.py);
stylesheets and other linked resources come from this site only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import html5lib
from django.conf import settings

from campaign.lib import stylesheet
from comments import text as comment_text
from guidance import rendering

# Attributes any tag of the templates may carry: identity, language, accessibility, visibility.
TEMPLATE_GLOBAL_ATTRIBUTES = frozenset(
    {
        "class",
        "id",
        "dir",
        "lang",
        "title",
        "hidden",
        "role",
        "tabindex",
        "aria-label",
        "aria-labelledby",
        "aria-describedby",
        "aria-current",
        "aria-invalid",
        "aria-hidden",
    }
)

# Every tag the templates write, with the attributes it takes besides the global ones. Form widgets
# are Django's own (input, select, textarea, label); the charts of the endorsers and statistics pages
# are inline SVG; the desk's keyboard shortcuts hang on data-* attributes.
TEMPLATE_TAGS: dict[str, frozenset[str]] = {
    tag: frozenset(attributes)
    for tag, attributes in {
        "html": {"xmlns"},
        "head": set(),
        "meta": {"charset", "name", "property", "content"},
        "title": set(),
        "link": {"rel", "href", "type", "hreflang"},
        "script": {"src", "defer"},
        "style": set(),  # the site's stylesheet, and only it (checked below)
        "body": set(),
        "header": set(),
        "nav": set(),
        "main": set(),
        "footer": set(),
        "section": set(),
        "article": {"data-desk-item"},
        # The form's error summary takes the focus; the signature preview carries its texts for the script.
        # The section body carries the selection buttons' texts for its script (static/js/passages.js).
        "div": {
            "data-group",
            "autofocus",
            "data-anonymous",
            "data-on-behalf",
            "aria-live",
            "data-select-comment",
            "data-select-amend",
        },
        "h1": set(),
        "h2": set(),
        "h3": set(),
        "h4": set(),
        "p": set(),
        "br": set(),
        "span": set(),
        "bdi": set(),  # names and places, isolated from the text around them (right-to-left)
        "strong": set(),
        "em": set(),
        "small": set(),
        "code": set(),
        "pre": set(),
        "blockquote": set(),
        "time": {"datetime"},
        "a": {"href", "rel", "hreflang", "type"},
        "ul": set(),
        "ol": {"start", "reversed"},
        "li": set(),
        "dl": set(),
        "dt": set(),
        "dd": set(),
        "table": set(),
        "caption": set(),
        "colgroup": {"span"},
        "col": {"span"},
        "thead": set(),
        "tbody": set(),
        "tfoot": set(),
        "tr": set(),
        "th": {"scope", "colspan", "rowspan"},
        "td": {"colspan", "rowspan"},
        "details": {"open"},
        "summary": set(),
        "figure": set(),
        "figcaption": set(),
        "ins": set(),
        "del": set(),
        "form": {"action", "method", "novalidate", "data-undo-form"},
        "fieldset": set(),
        "legend": set(),
        "label": {"for"},
        "input": {
            "type",
            "name",
            "value",
            "checked",
            "required",
            "maxlength",
            "minlength",
            "min",
            "max",
            "step",
            "autocomplete",
            "form",
            "data-select",
            "data-shows",  # what a visibility choice shows (comments.signature.SHOWN), for the live preview
            "data-counter",  # the live counter's text, in the page's language
        },
        "textarea": {"name", "rows", "cols", "maxlength", "required", "data-counter"},
        "select": {"name", "required", "multiple", "data-reason"},
        "option": {"value", "selected"},
        "button": {"type", "name", "value", "form", "data-action", "data-undo"},
        "svg": {"viewbox", "width", "height", "xmlns", "preserveaspectratio"},
        "desc": set(),
        "g": set(),
        "text": {"x", "y", "font-size", "text-anchor"},
        "rect": {"x", "y", "width", "height", "fill"},
        "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-dasharray"},
        "polyline": {"points", "fill", "stroke", "stroke-width", "stroke-dasharray"},
    }.items()
}

# Attributes whose value is a URL the browser follows or fetches.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "cite",
        "poster",
        "data",
        "background",
        "xlink:href",
        "ping",
        "srcset",
        "manifest",
        "longdesc",
        "codebase",
    }
)
URL_SCHEMES = rendering.ALLOWED_URL_SCHEMES | {"http", "https"}

_LINK_RELS = {"stylesheet", "alternate", "icon"}
# The card metadata whose content is an address: it must be this site's (SITE_URL), never another host.
_META_ADDRESSES = {"og:url", "og:image"}

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


@dataclass(frozen=True)
class AllowList:
    """Tags and, per tag, attributes; ``global_attributes`` are allowed on every listed tag."""

    tags: dict[str, frozenset[str]]
    global_attributes: frozenset[str] = frozenset()

    def __or__(self, other: AllowList) -> AllowList:
        tags = dict(self.tags)
        for tag, attributes in other.tags.items():
            tags[tag] = tags.get(tag, frozenset()) | attributes
        return _Union(tags=tags, parts=(self, other))

    def allows(self, tag: str, attribute: str) -> bool:
        return attribute in self.tags.get(tag, ()) or (tag in self.tags and attribute in self.global_attributes)


@dataclass(frozen=True)
class _Union(AllowList):
    parts: tuple[AllowList, ...] = ()

    def allows(self, tag: str, attribute: str) -> bool:
        return any(part.allows(tag, attribute) for part in self.parts)


def _sanitiser(tags, attributes: dict[str, set[str]], *, rel: bool) -> AllowList:
    listed = {tag: frozenset(attributes.get(tag, ())) for tag in tags}
    if rel:  # the sanitisers set rel on every link themselves
        listed["a"] = listed.get("a", frozenset()) | {"rel"}
    return AllowList(tags=listed)


#: What a section body may hold once rendered (guidance.rendering).
SECTION_BODY = _sanitiser(rendering.ALLOWED_TAGS, rendering.ALLOWED_ATTRIBUTES, rel=True)
#: What a comment may hold once rendered (comments.text).
COMMENT_TEXT = _sanitiser(comment_text.ALLOWED_TAGS, comment_text.ALLOWED_ATTRIBUTES, rel=False)
#: What the templates write.
TEMPLATES = AllowList(tags=TEMPLATE_TAGS, global_attributes=TEMPLATE_GLOBAL_ATTRIBUTES)
#: What any page may hold.
PAGE = TEMPLATES | SECTION_BODY | COMMENT_TEXT


def url_scheme(value: str) -> str:
    """Return the scheme a browser would read in a URL attribute ('' for a relative URL).

    Browsers drop tabs and newlines anywhere in a URL and control characters and spaces at its
    ends before they look for the scheme, so ``" jav\\tascript:"`` is a javascript: URL.
    """
    cleaned = _TAB_OR_NEWLINE.sub("", value).strip(_C0_AND_SPACE)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else ""


def _static(value: str) -> bool:
    """A file of this site's static files (the only scripts and stylesheets a page loads)."""
    return _local(value) and value.startswith(settings.STATIC_URL)


def _local(value: str) -> bool:
    """A URL on this site: relative, and not protocol-relative (``//host/...`` is another host)."""
    cleaned = _TAB_OR_NEWLINE.sub("", value).strip(_C0_AND_SPACE)
    return not url_scheme(value) and not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


def _this_site(value: str) -> bool:
    """An absolute http(s) URL on one of this site's own hosts (what ``<link rel="alternate">`` uses)."""
    from urllib.parse import urlsplit

    from django.http.request import validate_host

    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and validate_host(parts.hostname or "", settings.ALLOWED_HOSTS)


def _name(name: str) -> str:
    # html5lib's etree names elements and foreign attributes "{namespace}name".
    if name.startswith("{http://www.w3.org/1999/xlink}"):
        return "xlink:" + name.rsplit("}", 1)[-1]
    return name.rsplit("}", 1)[-1].lower()


def _parsed_html5lib(html: str, fragment: bool) -> Iterator[tuple[str, dict[str, str], str]]:
    """Yield (tag, attributes, text inside) of each element, parsed by the WHATWG rules browsers follow."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    root = parser.parseFragment(html) if fragment else parser.parse(html)
    stack = [root]
    while stack:
        node = stack.pop()
        for child in reversed(list(node)):
            if isinstance(child.tag, str):  # comments have a function as their tag
                stack.append(child)
                yield _name(child.tag), {_name(k): v for k, v in child.attrib.items()}, child.text or ""


class _FastParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.inside: str | None = None  # the script or style element being read

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}, []))
        self.inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag) -> None:
        self.inside = None

    def handle_data(self, data) -> None:
        if self.inside and self.elements and self.elements[-1][0] == self.inside:
            self.elements[-1][2].append(data)


def _parsed_fast(html: str) -> Iterator[tuple[str, dict[str, str], str]]:
    """The same from Python's html.parser: about twenty times faster, for the thousands of small responses."""
    parser = _FastParser()
    parser.feed(html)
    parser.close()
    for tag, attributes, inside in parser.elements:
        yield tag, attributes, "".join(inside)


def problems(html: str, allowed: AllowList = PAGE, *, fragment: bool = False, fast: bool = False) -> list[str]:
    """Parse HTML and return every way it strays from ``allowed`` (an empty list: none).

    ``fast`` uses Python's html.parser instead of html5lib; the pages that gather every stored
    string are parsed with html5lib, which reads markup exactly as browsers do.
    """
    elements = _parsed_fast(html) if fast else _parsed_html5lib(html, fragment)
    found = []
    for tag, attributes, inside in elements:
        if tag not in allowed.tags:
            found.append(f"tag <{tag}>")
            continue
        for name, value in attributes.items():
            if name.startswith("on") or name == "style":
                found.append(f"<{tag} {name}={value!r}>")
            elif not allowed.allows(tag, name):
                found.append(f"attribute <{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value)
                if scheme and scheme not in URL_SCHEMES:
                    found.append(f"URL <{tag} {name}={value!r}>")
        if tag == "style" and inside != stylesheet.text(settings.SITE_STYLESHEET):
            found.append(f"inline style that is not the site's stylesheet: {inside[:80]!r}")
        if tag == "script" and (inside.strip() or not _static(attributes.get("src", ""))):
            found.append(f"script <script src={attributes.get('src')!r}>{inside[:80]}")
        if (
            tag == "meta"
            and attributes.get("property") in _META_ADDRESSES
            and not _this_site(attributes.get("content", ""))
        ):
            found.append(f"address from elsewhere <meta property={attributes['property']!r}>")
        if tag == "link":
            rel, href = set(attributes.get("rel", "").split()), attributes.get("href", "")
            if not rel or not rel <= _LINK_RELS:
                found.append(f"<link rel={attributes.get('rel')!r}>")
            elif not (_static(href) or ("alternate" in rel and (_local(href) or _this_site(href)))):
                found.append(f"resource from elsewhere <link href={href!r}>")
    return found


def assert_allowed(html: str | bytes, allowed: AllowList = PAGE, *, where: str = "", fragment: bool = False) -> None:
    """Fail with every stray tag, attribute and URL of a page or fragment."""
    if isinstance(html, bytes):
        html = html.decode()
    found = problems(html, allowed, fragment=fragment)
    assert not found, f"{where}: markup outside the allow-list: {found[:20]}"


_ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(xml: str | bytes) -> list[dict[str, str]]:
    """Return each entry of an Atom feed as its link, title, author's name and summary, as a reader has them."""
    root = ET.fromstring(xml)  # noqa: S314 - our own response
    return [
        {
            "link": entry.find(f"{_ATOM}link").get("href", ""),
            "title": entry.findtext(f"{_ATOM}title", ""),
            "author": entry.findtext(f"{_ATOM}author/{_ATOM}name", ""),
            "summary": entry.findtext(f"{_ATOM}summary", ""),
        }
        for entry in root.iter(f"{_ATOM}entry")
    ]


def assert_feed_allowed(xml: str | bytes, allowed: AllowList, *, where: str = "") -> None:
    """Parse an Atom feed (it must be well-formed XML) and hold every HTML payload in it to ``allowed``.

    Feed readers render ``type="html"`` content as HTML: it is checked as a fragment. Links must be
    http(s) or relative.
    """
    root = ET.fromstring(xml)  # noqa: S314 - our own response, parsed to check it is well-formed
    found = []
    for element in root.iter():
        if element.get("type") == "html" and element.text:
            found += problems(element.text, allowed, fragment=True)
        if element.tag == f"{_ATOM}link":
            scheme = url_scheme(element.get("href", ""))
            if scheme and scheme not in URL_SCHEMES:
                found.append(f"feed link {element.get('href')!r}")
    assert not found, f"{where}: markup outside the allow-list: {found[:20]}"
