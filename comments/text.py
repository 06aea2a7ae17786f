"""Comment text: plain text kept as written, made safe for HTML once, at submission."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: The only markup render_text writes: paragraphs, line breaks and links (everything typed is escaped).
ALLOWED_TAGS: frozenset[str] = frozenset({"p", "br", "a"})
#: Attributes render_text writes; a link's href is always an http(s) URL found in the text.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "rel"}}
#: The rel of every link in a comment.
LINK_REL = "nofollow ugc noopener"

# Control characters other than tab and newline carry no meaning in a comment and can
# hide text; direction marks and joiners (format characters, category Cf) are kept
# because right-to-left scripts and emoji sequences need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_URL = re.compile(r"\bhttps?://[^\s<>\"'\u00a0]+", re.IGNORECASE)
_URL_VALIDATOR = URLValidator(schemes=["http", "https"])
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"»”’"  # noqa: RUF001 - closing quotes of several languages


def clean_text(text: str) -> str:
    """Normalise newlines, drop control characters and trailing spaces, keep everything else."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _valid_url(url: str) -> bool:
    try:
        _URL_VALIDATOR(url)
    except ValidationError:
        return False
    return True


def _linkify_line(line: str) -> str:
    out: list[str] = []
    position = 0
    for match in _URL.finditer(line):
        url = match.group(0)
        trailing = ""
        while url and url[-1] in _TRAILING_PUNCTUATION:
            # Keep a closing bracket that belongs to the URL, like a Wikipedia link.
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trailing = url[-1] + trailing
            url = url[:-1]
        out.append(escape(line[position : match.start()]))
        if _valid_url(url):
            out.append(f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(url)}</a>{escape(trailing)}')
        else:  # "http://example.org)x" names no host a browser could reach: keep it as text
            out.append(escape(url + trailing))
        position = match.end()
    out.append(escape(line[position:]))
    return "".join(out)


def render_text(text: str) -> SafeString:
    """Render plain text as HTML paragraphs, keeping line breaks; bare http(s) links become links.

    Everything else is escaped: no markup a poster types is ever interpreted.
    Numbered lists, bullets, quoted lines and signatures stay as typed, one per line.
    """
    paragraphs = re.split(r"\n\s*\n", clean_text(text))
    html = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        lines = [_linkify_line(line) for line in paragraph.split("\n")]
        html.append("<p>" + "<br>\n".join(lines) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every piece above is escaped


def fingerprint(text: str) -> str:
    """Return a hash of the text with case, spacing and punctuation folded, to spot exact duplicates."""
    folded = re.sub(r"[\W_]+", " ", clean_text(text).casefold()).strip()
    return hashlib.sha256(folded.encode()).hexdigest()
