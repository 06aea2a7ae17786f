"""Highlighted snippets as safe HTML: the only markup they carry is ``<mark>``.

Everything searched is plain text (a section's ``body_text`` and heading, a comment as its poster
typed it), and plain text may hold anything, ``<script>`` included. So a snippet is never markup
that was found: PostgreSQL's ``ts_headline`` marks the matches with two control characters
(``START``, ``STOP``) that no comment can hold (comments.text drops them) and no page shows, and
:func:`marked` escapes every piece of text around and between them before it writes the ``<mark>``
tags itself. The SQLite fallback finds the matches in Python (:func:`snippet`, :func:`highlight`)
and builds the HTML the same way: escape each piece, then wrap the matches.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: What ts_headline writes before and after each match (see ``marked``).
START = "\x02"
STOP = "\x03"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
_MARKERS = re.compile(f"[{START}{STOP}]")
#: The search syntax that is not a word to find: quotes, a leading minus (a word to leave out), "or".
_QUOTES = re.compile(r"[\"“”«»„]")
ELLIPSIS = "…"


def _text(piece: str) -> str:
    return escape(_MARKERS.sub("", piece))


def marked(headline: str) -> SafeString:
    """Turn ts_headline's output into HTML: every character escaped, each match in ``<mark>``.

    A marker without its pair (only a text that held the control characters itself could leave one)
    is dropped, never turned into a tag.
    """
    out: list[str] = []
    position = 0
    for match in _MARKED.finditer(headline):
        out.append(_text(headline[position : match.start()]))
        out.append(f"<mark>{_text(match.group(1))}</mark>")
        position = match.end()
    out.append(_text(headline[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece was escaped above


def terms(query: str) -> list[str]:
    """The words a query looks for, as the fallback matches them: no quotes, no "-word", no "or"."""
    words = []
    for word in _QUOTES.sub(" ", query).split():
        if word.startswith("-") or word.casefold() == "or":
            continue
        if word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words


def _pattern(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE)


def _wrap(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return _text(text)
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        out.append(_text(text[position : match.start()]))
        out.append(f"<mark>{_text(match.group(0))}</mark>")
        position = match.end()
    out.append(_text(text[position:]))
    return "".join(out)


def highlight(text: str, words: list[str]) -> SafeString:
    """The whole of ``text``, escaped, with every occurrence of ``words`` (any case) in ``<mark>``."""
    return mark_safe(_wrap(text, _pattern(words)))  # noqa: S308 - _wrap escapes every piece


def snippet(text: str, words: list[str], *, width: int = 240) -> SafeString:
    """About ``width`` characters of ``text`` around the first match, escaped, the matches in ``<mark>``.

    Cut between words, with an ellipsis where the text goes on; the text's start when nothing matches.
    """
    text = " ".join(text.split())
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - width // 3) if found else 0
    end = min(len(text), start + width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (found.start() if found else end) else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (found.end() if found else start) else end
    piece = _wrap(text[start:end], pattern)
    return mark_safe(  # noqa: S308 - _wrap escapes every piece
        (f"{ELLIPSIS} " if start > 0 else "") + piece + (f" {ELLIPSIS}" if end < len(text) else "")
    )
