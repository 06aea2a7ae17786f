"""Passages: the paragraphs (and lists, quotes, tables) of a section, each with an anchor that lasts.

A comment or an amendment may point at one passage of a section. Its anchor (``p-3fa2c1``) must
keep pointing at the same words when a new version is imported, whether the passage moved, was
edited, or the paragraphs around it were split or removed. So anchors are not positions: each
passage of a new text is matched by content with the passages of the section's text before it,
and takes over the anchor of the one it matches; an unmatched passage gets a new anchor made from
its own words.

Matching runs at import time, on a few dozen passages per section: first identical wording, then
the most similar pairs (a word-level :class:`difflib.SequenceMatcher` ratio of at least
:data:`SIMILAR`), each earlier passage given to one new passage at most. When a paragraph is split
in two, the half closer to the old wording keeps its anchor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from difflib import SequenceMatcher

from guidance.rendering import Block, render_blocks

#: How alike (0..1, word by word) an edited passage must be to the earlier one to keep its anchor.
SIMILAR = 0.5
_KEY_PREFIX = "p-"
_KEY_HEX = 6


@dataclass(frozen=True)
class Passage:
    """One passage of a section text as stored (``SectionText.passages``) and shown."""

    key: str  # "" for a heading inside the body: it is read, not commented on
    html: str
    text: str

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "html": self.html, "text": self.text}

    @classmethod
    def from_json(cls, value: dict) -> Passage:
        return cls(key=value.get("key", ""), html=value.get("html", ""), text=value.get("text", ""))


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def new_key(text: str, taken: set[str]) -> str:
    """An anchor made from the passage's own words, unlike every anchor in ``taken``."""
    seed = _normal(text)
    for attempt in range(1000):
        digest = hashlib.sha256(f"{seed}\x00{attempt}".encode()).hexdigest()
        key = f"{_KEY_PREFIX}{digest[:_KEY_HEX]}"
        if key not in taken:
            return key
    raise RuntimeError("no free passage key")  # pragma: no cover - a thousand collisions in 16 million


def assign_keys(texts: list[str | None], earlier: list[tuple[str, str]]) -> list[str]:
    """Give each new passage the anchor of the earlier passage it continues, or a new one.

    Args:
        texts: the new passages' words in order; ``None`` for a block that takes no anchor.
        earlier: (anchor, words) of the section's passages in the text before, in order.

    Returns:
        One anchor per entry of ``texts`` ("" where the entry is ``None``), all different.
    """
    keys: list[str] = ["" for _ in texts]
    free = {key: _normal(words) for key, words in earlier if key}
    # Identical wording first, in order: a passage that only moved keeps its anchor.
    by_words: dict[str, list[str]] = {}
    for key, words in free.items():
        by_words.setdefault(words, []).append(key)
    for index, words in enumerate(texts):
        if words is not None and by_words.get(_normal(words)):
            keys[index] = by_words[_normal(words)].pop(0)
            free.pop(keys[index])
    # Then the most similar pairs, best first, each earlier passage taken once.
    pairs = []
    for index, words in enumerate(texts):
        if words is None or keys[index]:
            continue
        new_words = _normal(words).split()
        for key, old in free.items():
            matcher = SequenceMatcher(None, old.split(), new_words, autojunk=False)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    pairs.append((-ratio, index, key))
    for _, index, key in sorted(pairs):
        if not keys[index] and key in free:
            keys[index] = key
            free.pop(key)
    taken = {key for key in keys if key} | {key for key, _ in earlier if key}
    for index, words in enumerate(texts):
        if words is not None and not keys[index]:
            keys[index] = new_key(words, taken)
            taken.add(keys[index])
    return keys


def passages(blocks: list[Block], earlier: list[Passage]) -> list[Passage]:
    """The passages of a new section text, anchored against the text before it (see :func:`assign_keys`)."""
    texts = [None if block.heading else block.text for block in blocks]
    keys = assign_keys(texts, [(p.key, p.text) for p in earlier])
    return [Passage(key=key, html=block.html, text=block.text) for key, block in zip(keys, blocks, strict=True)]


def translated_passages(blocks: list[Block], original: list[Passage]) -> list[Passage]:
    """The passages of a translation, anchored as the original's: by position, when both have as many.

    A translation says the same passages in the same order, so a comment on the French page's third
    paragraph is a comment on the original's third. When the translator merged or split paragraphs the
    positions no longer line up; the translation's passages then get anchors of their own.
    """
    keyed = [p for p in original if p.key]
    wanted = [block for block in blocks if not block.heading]
    if len(keyed) != len(wanted):
        return passages(blocks, [])
    anchors = iter(p.key for p in keyed)
    return [Passage(key="" if block.heading else next(anchors), html=block.html, text=block.text) for block in blocks]


def of_markdown(body: str, earlier: list[Passage]) -> list[Passage]:
    """Render a body and anchor its passages against the text before it."""
    return passages(render_blocks(body), earlier)


def load(value: list[dict] | None) -> list[Passage]:
    """Passages as stored in ``SectionText.passages``."""
    return [Passage.from_json(item) for item in value or []]
