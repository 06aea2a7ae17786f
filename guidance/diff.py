"""Word-level diffs of section texts, and the comparison of two versions of a document.

Diffs work on the Markdown source (``body_markdown``) and on the heading, never on the
rendered HTML: every token is escaped, so whatever a section body contains can never
break out of the ``<ins>``/``<del>`` markup around it.

One diff (``diff_segments``) is shown two ways: inline, the new text with its removed and added
words marked in place (``word_diff``), or side by side, the old text with its removed words marked
beside the new text with its added words marked (``side_by_side_diff``).
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from guidance.models import Section, SectionText, Version

# A word (letters and digits, with inner apostrophes: "don't", "l'accès"), a run of
# whitespace, or any single other character (punctuation, Markdown markers).
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|\s+|[^\w\s]")

# Where a sentence or a line ends: the whitespace after . ? ! : ; or any run holding a line break.
_UNIT_END = re.compile(r"(?<=[.?!:;])\s+|\s*\n\s*")

# A changed stretch bigger than this (old tokens x new tokens) is not diffed word by word
# in one go: it is compared sentence by sentence instead, which keeps the cost near linear.
_MAX_WORD_MATCH_WORK = 300 * 300


def tokenise(text: str) -> list[str]:
    """Split a text into words, whitespace runs and single punctuation characters."""
    return _TOKEN.findall(text)


def _units(text: str) -> list[str]:
    """Split a text into sentences and lines, each keeping its trailing whitespace."""
    units = []
    start = 0
    for match in _UNIT_END.finditer(text):
        units.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        units.append(text[start:])
    return units


def _is_blank(token: str) -> bool:
    # Whitespace may extend a match but never starts one: otherwise two unrelated
    # sentences "match" on every space and the diff becomes confetti.
    return token.isspace()


# A diff as a list of segments: (SAME, text) in both texts, (REMOVED, text) only in the old one,
# (ADDED, text) only in the new one. Reading the SAME and REMOVED segments in order gives the old
# text back, the SAME and ADDED ones the new text.
SAME, REMOVED, ADDED = "=", "-", "+"
Segment = tuple[str, str]


def _same(text: str, parts: list[Segment]) -> None:
    if text:
        parts.append((SAME, text))


def _replace(old: str, new: str, parts: list[Segment]) -> None:
    if old:
        parts.append((REMOVED, old))
    if new:
        parts.append((ADDED, new))


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """Return how many items the two lists share at their start, and then at their end."""
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _diff_words(old: str, new: str, parts: list[Segment]) -> None:
    """Append the word diff of two short stretches of text."""
    a, b = tokenise(old), tokenise(new)
    head, tail = _common_ends(a, b)
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    _same("".join(b[:head]), parts)
    if not a_mid or not b_mid or len(a_mid) * len(b_mid) > _MAX_WORD_MATCH_WORK:
        _replace("".join(a_mid), "".join(b_mid), parts)
    else:
        matcher = difflib.SequenceMatcher(_is_blank, a_mid, b_mid, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                _same("".join(b_mid[j1:j2]), parts)
            else:
                _replace("".join(a_mid[i1:i2]), "".join(b_mid[j1:j2]), parts)
    _same("".join(b[len(b) - tail :]), parts)


def _diff_units(a: list[str], b: list[str], parts: list[Segment]) -> None:
    """Match whole sentences first, then diff the words of the sentences that differ."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            _same(new, parts)
        elif not old or not new:
            _replace(old, new, parts)
        elif len(old) * len(new) <= _MAX_WORD_MATCH_WORK * 16:  # about 4 characters a token
            _diff_words(old, new, parts)
        else:
            # A long rewrite: pair its sentences in order, so that each word diff stays small.
            for k in range(max(i2 - i1, j2 - j1)):
                _diff_words(a[i1 + k] if i1 + k < i2 else "", b[j1 + k] if j1 + k < j2 else "", parts)


def diff_segments(old: str | None, new: str | None) -> list[Segment]:
    """Return the word diff of two texts as segments: (SAME | REMOVED | ADDED, text), in reading order.

    Where a stretch was replaced, its REMOVED segment comes just before its ADDED one.
    """
    old = old or ""
    new = new or ""
    if old == new:
        return [(SAME, new)] if new else []
    a, b = _units(old), _units(new)

    # Drop the sentences both texts share at their start and end: most edits touch a small
    # part of a long body, and this keeps the work proportional to the change.
    head, tail = _common_ends(a, b)
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]

    parts: list[Segment] = []
    _same("".join(b[:head]), parts)
    if len(a_mid) <= 1 or len(b_mid) <= 1:
        _diff_words("".join(a_mid), "".join(b_mid), parts)
    else:
        _diff_units(a_mid, b_mid, parts)
    _same("".join(b[len(b) - tail :]), parts)
    return parts


def _render(segments: list[Segment], marks: dict[str, str], label: str = "") -> SafeString:
    """Write segments as escaped HTML: SAME as text, the kinds in ``marks`` in their tag, the others left out.

    A ``label`` opens each mark, hidden but for screen readers, which do not all announce the tags.
    """
    hidden = f'<span class="visually-hidden">{html.escape(label)} </span>' if label else ""
    html_parts = []
    for kind, text in segments:
        if kind == SAME:
            html_parts.append(html.escape(text))
        elif kind in marks:
            html_parts.append(f"<{marks[kind]}>{hidden}{html.escape(text)}</{marks[kind]}>")
    return mark_safe("".join(html_parts))  # noqa: S308 - every piece is escaped here


def word_diff(old: str | None, new: str | None) -> SafeString:
    """Return ``new`` as escaped HTML with the words changed since ``old`` marked.

    Removed runs are wrapped in ``<del>``, inserted runs in ``<ins>``; everything else,
    whitespace included, is kept as written (show it in a ``white-space: pre-wrap`` box).
    """
    return _render(diff_segments(old, new), {REMOVED: "del", ADDED: "ins"})


@dataclass(frozen=True)
class SideBySide:
    """The two texts of a diff, each as escaped HTML: ``old`` with its removed words in ``<del>``,
    ``new`` with its added words in ``<ins>``, each mark opened by a label for screen readers."""

    old: SafeString
    new: SafeString


def side_by_side_diff(old: str | None, new: str | None) -> SideBySide:
    """Return both texts with what changed between them marked, to be shown in two columns."""
    segments = diff_segments(old, new)
    return SideBySide(
        old=_render(segments, {REMOVED: "del"}, _("removed:")),
        new=_render(segments, {ADDED: "ins"}, _("added:")),
    )


def _normalise(text: str) -> str:
    # Line-ending and trailing-space noise from editors is not a change of wording.
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").strip().split("\n"))


class Status:
    """How a section differs between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    RENAMED = "renamed"
    CHANGED = "changed"
    MOVED = "moved"
    UNCHANGED = "unchanged"


@dataclass(eq=False)
class SectionChange:
    """One section as it reads in two versions (``old`` or ``new`` is None if absent there).

    The diffs are computed on first use only, so listing unchanged sections costs nothing.
    """

    section: Section
    old: SectionText | None
    new: SectionText | None
    moved: bool = False

    @cached_property
    def heading_changed(self) -> bool:
        return bool(self.old and self.new and self.old.heading.strip() != self.new.heading.strip())

    @cached_property
    def body_changed(self) -> bool:
        if not (self.old and self.new):
            return False
        if self.old.body_markdown == self.new.body_markdown:
            return False
        return _normalise(self.old.body_markdown) != _normalise(self.new.body_markdown)

    @cached_property
    def status(self) -> str:
        if self.old is None:
            return Status.ADDED
        if self.new is None:
            return Status.REMOVED
        if self.heading_changed:
            return Status.RENAMED
        if self.body_changed:
            return Status.CHANGED
        if self.moved:
            return Status.MOVED
        return Status.UNCHANGED

    @property
    def text(self) -> SectionText:
        """The newest text of the two (the old one for a removed section)."""
        return self.new or self.old  # type: ignore[return-value]

    @property
    def key(self) -> str:
        return self.section.key

    @cached_property
    def heading_diff(self) -> SafeString:
        return word_diff(self.old.heading if self.old else "", self.new.heading if self.new else "")

    @cached_property
    def body_diff(self) -> SafeString:
        return word_diff(self.old.body_markdown if self.old else "", self.new.body_markdown if self.new else "")

    @cached_property
    def heading_sides(self) -> SideBySide:
        return side_by_side_diff(self.old.heading if self.old else "", self.new.heading if self.new else "")

    @cached_property
    def body_sides(self) -> SideBySide:
        return side_by_side_diff(self.old.body_markdown if self.old else "", self.new.body_markdown if self.new else "")


@dataclass
class VersionComparison:
    """What changed from version ``a`` to version ``b``, section by section.

    Each section is in exactly one list: a renamed section may also have a changed body,
    and a changed or renamed one may also have moved (see ``SectionChange.moved``).
    """

    a: Version
    b: Version
    changed: list[SectionChange] = field(default_factory=list)
    added: list[SectionChange] = field(default_factory=list)
    removed: list[SectionChange] = field(default_factory=list)
    renamed: list[SectionChange] = field(default_factory=list)
    moved: list[SectionChange] = field(default_factory=list)
    unchanged: list[SectionChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.renamed or self.moved)

    @property
    def counts(self) -> dict[str, int]:
        return {
            Status.CHANGED: len(self.changed),
            Status.ADDED: len(self.added),
            Status.REMOVED: len(self.removed),
            Status.RENAMED: len(self.renamed),
            Status.MOVED: len(self.moved),
            Status.UNCHANGED: len(self.unchanged),
        }


def _texts(version: Version) -> list[SectionText]:
    """Load a version's texts (with their Markdown source) in one query."""
    return list(
        SectionText.objects.filter(version=version).select_related("section").defer("body_html").order_by("position")
    )


def _moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Return the keys whose relative order changed: those outside the longest common ordering.

    Inserting or removing a section shifts every later position; that is not a move.
    """
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    kept = set()
    for block in matcher.get_matching_blocks():
        kept.update(new_order[block.b : block.b + block.size])
    return set(new_order) - kept


def compare_texts(a: Version, b: Version, old_texts: list[SectionText], new_texts: list[SectionText]):
    """Build the comparison of two versions from their already loaded texts."""
    old_by_section = {text.section_id: text for text in old_texts}
    new_by_section = {text.section_id: text for text in new_texts}
    common_old = [t.section.key for t in old_texts if t.section_id in new_by_section]
    common_new = [t.section.key for t in new_texts if t.section_id in old_by_section]
    moved = _moved_keys(common_old, common_new)

    comparison = VersionComparison(a=a, b=b)
    buckets = {
        Status.ADDED: comparison.added,
        Status.REMOVED: comparison.removed,
        Status.RENAMED: comparison.renamed,
        Status.CHANGED: comparison.changed,
        Status.MOVED: comparison.moved,
        Status.UNCHANGED: comparison.unchanged,
    }
    for text in new_texts:
        change = SectionChange(
            section=text.section,
            old=old_by_section.get(text.section_id),
            new=text,
            moved=text.section.key in moved,
        )
        buckets[change.status].append(change)
    for text in old_texts:
        if text.section_id not in new_by_section:
            comparison.removed.append(SectionChange(section=text.section, old=text, new=None))
    return comparison


def compare_versions(a: Version, b: Version) -> VersionComparison:
    """Compare two versions section by section, with one query per version."""
    return compare_texts(a, b, _texts(a), _texts(b))
