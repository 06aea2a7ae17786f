"""A WordPress export (WXR 1.0, 1.1 or 1.2), read into plain values: the posts and their comments.

The original campaign page was a WordPress post; its export is an RSS file whose WordPress parts
live in the namespace ``http://wordpress.org/export/<version>/``. This module only reads: it writes
nothing and knows no model (``comments.imports`` writes). It reads with defusedxml and refuses any
document type declaration, so an entity bomb or an external entity (XXE) is refused before it is
expanded or fetched. Anything that is not such an export (not XML, another kind of feed, an RSS feed
without WordPress's namespace, an export version it does not know) raises ``ExportRefused`` with a
message that says what is wrong, before anything is imported.

A commenter's email and client address are in the export: they are read into fields that no
``repr`` shows, and ``comments.imports`` decides what, if anything, is kept of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

#: The export versions read here, by the namespace that names them.
NAMESPACES = {
    "http://wordpress.org/export/1.0/": "1.0",
    "http://wordpress.org/export/1.1/": "1.1",
    "http://wordpress.org/export/1.2/": "1.2",
}
_EXPORT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+(?:\.\d+)*/$")  # not its /excerpt/
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: The longest site address kept in an import key (comments.models.OrgComment.import_key holds 255).
SITE_MAX_LENGTH = 200


class ExportRefused(ValueError):
    """The file is not a WordPress export this command can read; str() says why."""


@dataclass(frozen=True)
class WordPressComment:
    """One ``wp:comment`` as exported. ``status`` is ``wp:comment_approved`` ("1", "0", "spam", "trash"...)."""

    comment_id: int
    parent_id: int  # 0 for a comment that answers nobody
    author: str
    content: str  # as stored by WordPress: text with some HTML and entities
    status: str
    type: str  # "" or "comment" for a visitor's comment; "pingback", "trackback"...
    date: datetime | None  # wp:comment_date_gmt (or, when that is empty, wp:comment_date), in UTC
    # Personal data: never in a repr, a log or a message.
    email: str = field(default="", repr=False)
    address: str = field(default="", repr=False)

    @property
    def is_visitor_comment(self) -> bool:
        return self.type in ("", "comment")

    def text(self) -> str:
        """The comment as plain text, as the old page showed it (see ``plain_text``)."""
        return plain_text(self.content)


@dataclass(frozen=True)
class Post:
    """An exported post or page that has comments."""

    post_id: str
    title: str
    link: str
    name: str  # its slug (wp:post_name)
    comments: tuple[WordPressComment, ...]

    def label(self) -> str:
        return f"{self.post_id} ({self.name or self.title or self.link})"


@dataclass(frozen=True)
class Export:
    version: str  # "1.0", "1.1" or "1.2"
    site: str  # the exported site's address, normalised: the first half of every import key
    posts: tuple[Post, ...]

    def key(self, comment_id: int) -> str:
        """What identifies a comment of this export in any later import of the same site."""
        return f"{self.site}#{comment_id}"

    def post(self, wanted: str | None) -> Post:
        """The post whose comments to import: the only one with comments, or the one named by its
        number, slug or address; raise ``ExportRefused`` when that is not one post."""
        if wanted:
            for post in self.posts:
                if wanted in (post.post_id, post.name, post.link):
                    return post
            raise ExportRefused(f"The export has no post '{wanted}' with comments (posts: {self._posts()}).")
        if len(self.posts) == 1:
            return self.posts[0]
        if not self.posts:
            raise ExportRefused("The export holds no comments.")
        raise ExportRefused(
            f"The export holds comments on {len(self.posts)} posts: choose the campaign page with "
            f"--post NUMBER_OR_SLUG (posts: {self._posts()})."
        )

    def _posts(self) -> str:
        return ", ".join(post.label() for post in self.posts) or "none"


def parse(data: bytes) -> Export:
    """Read a WordPress export; raise ``ExportRefused`` for anything else."""
    try:
        # No DTD at all: WordPress writes none, and a DTD is where entity bombs and XXE live.
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ExportRefused(
            f"The file declares a document type or entities ({type(exc).__name__}); a WordPress export has "
            "none, and they are refused (they can expand without end or read other files)."
        ) from None
    except ParseError as exc:
        raise ExportRefused(f"The file is not well-formed XML ({exc}).") from None
    if root.tag != "rss":
        raise ExportRefused(f"The file is XML but not an RSS feed: its root element is <{_local(root.tag)}>.")
    channel = root.find("channel")
    if channel is None:
        raise ExportRefused("The RSS file has no <channel>.")
    namespace = _export_namespace(channel)
    wp = f"{{{namespace}}}"
    site = _site(channel, wp)
    posts = tuple(post for item in channel.findall("item") if (post := _post(item, wp)).comments)
    _check_unique([comment for post in posts for comment in post.comments])
    return Export(version=NAMESPACES[namespace], site=site, posts=posts)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _export_namespace(channel: Element) -> str:
    """The one WordPress export namespace the channel's elements are in."""
    found = {namespace for element in channel.iter() if _EXPORT_NAMESPACE.match(namespace := _namespace(element.tag))}
    if not found:
        raise ExportRefused(
            "The file is an RSS feed, not a WordPress export: none of its elements is in WordPress's export "
            "namespace (http://wordpress.org/export/1.2/). Export the site from Tools > Export in WordPress."
        )
    unknown = sorted(found - NAMESPACES.keys())
    if unknown:
        raise ExportRefused(
            f"The export uses the namespace {', '.join(unknown)}, which this command does not read "
            f"(it reads {', '.join(NAMESPACES)})."
        )
    if len(found) > 1:
        raise ExportRefused(f"The export mixes the namespaces of several versions ({', '.join(sorted(found))}).")
    return found.pop()


def _site(channel: Element, wp: str) -> str:
    """The exported site's address (wp:base_site_url, or the channel's link), normalised."""
    address = (channel.findtext(f"{wp}base_site_url") or channel.findtext("link") or "").strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ExportRefused("The export names no site address (wp:base_site_url or the channel's <link>).")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    site = f"{parts.scheme}://{host}{parts.path.rstrip('/')}"
    if len(site) > SITE_MAX_LENGTH:
        raise ExportRefused(f"The export's site address is longer than {SITE_MAX_LENGTH} characters.")
    return site


def _post(item: Element, wp: str) -> Post:
    post_id = (item.findtext(f"{wp}post_id") or "").strip()
    comments = tuple(
        _comment(element, wp, post_id, position)
        for position, element in enumerate(item.findall(f"{wp}comment"), start=1)
    )
    return Post(
        post_id=post_id,
        title=(item.findtext("title") or "").strip(),
        link=(item.findtext("link") or "").strip(),
        name=(item.findtext(f"{wp}post_name") or "").strip(),
        comments=comments,
    )


def _comment(element: Element, wp: str, post_id: str, position: int) -> WordPressComment:
    def text(name: str) -> str:
        return element.findtext(f"{wp}{name}") or ""

    where = f"comment {position} of post {post_id or '?'}"
    comment_id = _number(text("comment_id"), f"{where}: wp:comment_id")
    if comment_id == 0:
        raise ExportRefused(f"{where} has no wp:comment_id.")
    parent = text("comment_parent").strip()
    return WordPressComment(
        comment_id=comment_id,
        parent_id=_number(parent, f"{where}: wp:comment_parent") if parent else 0,
        author=text("comment_author").strip(),
        content=text("comment_content"),
        status=text("comment_approved").strip(),
        type=text("comment_type").strip(),
        date=_date(text("comment_date_gmt")) or _date(text("comment_date")),
        email=text("comment_author_email").strip(),
        address=text("comment_author_IP").strip(),
    )


def _number(value: str, what: str) -> int:
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ExportRefused(f"{what} is not a number.")
    return int(value)


def _date(value: str) -> datetime | None:
    """A WordPress date ("2015-05-01 08:00:00") in UTC; None for its empty "0000-00-00 00:00:00"."""
    try:
        return datetime.strptime(value.strip(), _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _check_unique(comments: list[WordPressComment]) -> None:
    seen: set[int] = set()
    for comment in comments:
        if comment.comment_id in seen:
            raise ExportRefused(f"The export has two comments numbered {comment.comment_id}.")
        seen.add(comment.comment_id)


class _PlainText(HTMLParser):
    """What a reader of the old page read: the text, with paragraphs, line breaks and link addresses."""

    BLOCKS = frozenset({"p", "div", "blockquote", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table"})
    SKIPPED = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.link: tuple[str, int] | None = None  # (href, where its label starts in parts)
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "tr":
            self.parts.append("\n")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.link = (href, len(self.parts)) if href.lower().startswith(("http://", "https://")) else None

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.link is not None:
            href, start = self.link
            label = "".join(self.parts[start:]).strip()
            if label.rstrip("/") != href.rstrip("/"):
                # The address was shown by the old page's link only: keep it readable in plain text.
                self.parts.append(f" ({href})" if label else href)
            self.link = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """Turn a WordPress comment (text with a little HTML) into plain text, paragraphs and links kept.

    WordPress keeps comments as typed, with the tags it allows (links, emphasis, quotes, lists) and
    shows each blank line as a paragraph: the text here reads as the page read, and the site's own
    renderer (comments.text.render_text) turns its blank lines and bare addresses back into
    paragraphs and links. No markup survives.
    """
    parser = _PlainText()
    parser.feed(content)
    parser.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
