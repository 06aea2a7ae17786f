"""Import a version of a document from one Markdown file.

The file is split into sections on its ATX headings (``#`` to ``######``) outside fenced code
blocks. Each section is matched to the document's existing sections by key, so comments attached
to a ``Section`` follow it from version to version, even when its heading is reworded. Every check
runs before anything is written; the write itself is one transaction.

Entry points: :func:`parse_markdown` (pure, no database) and :func:`import_markdown` (the service
used by ``manage.py import_guidance``).
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify

from campaign.lib.cache import bump_generation
from guidance.models import Document, Section, SectionText, Version, key_validator
from guidance.passages import Passage, load, passages, translated_passages
from guidance.rendering import PARSER, plain_text, render_blocks

__all__ = [
    "RENAME_SIMILARITY",
    "ImportRefused",
    "ImportReport",
    "ParsedSection",
    "import_markdown",
    "no_sections_in_use",
    "parse_markdown",
]

#: How similar (difflib ratio on the normalised bodies) a section without an explicit key must be to a
#: section the import would otherwise remove, to be taken as that section under a new heading.
RENAME_SIMILARITY = 0.75

_KEY_MAX_LENGTH = Section._meta.get_field("key").max_length
_HEADING_MAX_LENGTH = SectionText._meta.get_field("heading").max_length
_NUMBER_MAX_LENGTH = SectionText._meta.get_field("number").max_length
_LABEL_MAX_LENGTH = Version._meta.get_field("label").max_length
_BATCH_SIZE = 200
# Rename detection: how many (new, old) body pairs to compare by shared word pairs at most, the share of
# word pairs below which two bodies are not compared further, and how many full ratios to try per new body.
_PAIR_BUDGET = 20_000
_SHINGLE_FLOOR = 0.25
_RATIO_TRIES = 3
# and how many words (both bodies counted) the full difflib comparisons may look at, in all.
_RATIO_WORD_BUDGET = 250_000

# An optional closing sequence of '#' (preceded by a space) at the end of a heading.
_CLOSING_HASHES_RE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
# An explicit key at the end of a heading: "## Decriminalisation {#decriminalisation}".
_EXPLICIT_KEY_RE = re.compile(r"[ \t]*\{#([^{}]*)\}[ \t]*$")
# A leading number: "3.", "3.2", "3.2.", or a Roman one up to LXXXIX ("IV."), followed by the heading text.
# (C, D and M are left out: "C. Data" more likely starts a heading lettered A, B, C than section 100.)
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)+\.?|\d+\.|[IVXL]+\.)[ \t]+(\S.*)$")
# The closing line of a fenced code block.
_FENCE_CLOSE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*$")


class ImportRefused(Exception):
    """The import cannot be done as asked. ``str(exc)`` tells the person running it why and what to do."""


@dataclass
class ParsedSection:
    """One section as written in the Markdown file."""

    key: str
    number: str
    heading: str
    level: int
    body: str
    explicit_key: bool
    line: int


@dataclass
class ImportReport:
    """What an import did (or, in a rolled back dry run, would do), compared with the previous version.

    ``added``, ``changed`` and ``unchanged`` together list every section of the new version, in its
    order. A section counts as changed when its heading or its body differs from the previous
    version (a new number or heading level alone does not). ``renamed`` lists the sections whose
    heading changed, each also listed in ``changed``: either the key stayed the same, or the section
    is a new heading over a body very similar to a section that would otherwise have been removed
    (it keeps the old section, its key and its comments). ``reordered`` lists the fewest sections
    whose move explains the new order. ``removed`` lists the sections of the previous version that
    the new version no longer has (their ``Section`` rows, and the comments on them, are kept).
    """

    version: Version
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reordered: list[str] = field(default_factory=list)
    #: The version this one was compared with (None for the first version in its language).
    previous: Version | None = None
    #: Heading of every key above: the new heading, or the old one for a removed section.
    headings: dict[str, str] = field(default_factory=dict)
    #: Things the importer skipped or assumed, for the person running it (document title, text before
    #: the first section, a code fence never closed).
    notes: list[str] = field(default_factory=list)
    #: For a translation: the sections whose translation is the previous one, word for word, while
    #: their original changed since: (key, number of the original version they were translated from).
    #: They keep that older origin, and readers are told they may be out of date.
    stale: list[tuple[str, int]] = field(default_factory=list)

    @property
    def section_count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.unchanged)


def no_sections_in_use(sections: QuerySet[Section]) -> set[int]:
    """Return the ids of those ``sections`` that must not be removed by an import: by default, none.

    ``settings.GUIDANCE_SECTIONS_IN_USE`` names the function the importer asks; an app that attaches
    things to sections (comments) points it at a function of the same shape.
    """
    return set()


# --- Parsing -------------------------------------------------------------------------------------


@dataclass
class _Heading:
    line: int  # 1-based
    level: int
    text: str


@dataclass
class _Parsed:
    sections: list[ParsedSection]
    notes: list[str]


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _headings(text: str, lines: Sequence[str]) -> tuple[list[_Heading], int | None]:
    """Find the document's own headings as the renderer's parser reads them (rendering.PARSER).

    What the page will show as a heading, and only that, can start a section: not ``##Two`` (a
    paragraph in CommonMark), not a heading inside a fenced code block, an HTML block, a list or a
    quote; setext headings (``Title`` over ``====``) count. Also return the line of a code fence that
    is never closed (everything after it is code).
    """
    tokens = PARSER.parse(text)
    headings = [
        _Heading(line=token.map[0] + 1, level=int(token.tag[1]), text=tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0
    ]
    open_fence = next(
        (token.map[0] + 1 for token in tokens if token.type == "fence" and not _closed(token, lines)), None
    )
    return headings, open_fence


def _closed(fence, lines: Sequence[str]) -> bool:
    """Whether a fenced code block's last line closes it (the parser runs an unclosed one to the end)."""
    start, end = fence.map
    closing = _FENCE_CLOSE_RE.match(lines[end - 1]) if end - 1 > start else None
    return bool(closing and closing.group(1)[0] == fence.markup[0] and len(closing.group(1)) >= len(fence.markup))


def _trim_blank_lines(lines: list[str]) -> str:
    """Join a body's lines as written (two trailing spaces make a line break), without blank lines around."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _derive_key(heading: str) -> str:
    key = slugify(heading, allow_unicode=False).replace("_", "-")
    key = re.sub(r"-{2,}", "-", key).strip("-")
    if len(key) > _KEY_MAX_LENGTH:
        key = key[:_KEY_MAX_LENGTH].rsplit("-", 1)[0] if "-" in key[:_KEY_MAX_LENGTH] else key[:_KEY_MAX_LENGTH]
    return key


def _valid_key(key: str) -> bool:
    if not key or len(key) > _KEY_MAX_LENGTH:
        return False
    try:
        key_validator(key)
    except ValidationError:
        return False
    return True


def _split_heading(raw: str, *, line: int, level: int, require_key: bool) -> tuple[str, str, str, bool]:
    """Split a heading's text into (key, number, heading, explicit_key)."""
    text = _CLOSING_HASHES_RE.sub("", raw.strip()).strip()
    explicit = _EXPLICIT_KEY_RE.search(text)
    key = ""
    if explicit:
        key = explicit.group(1).strip().removeprefix("#")
        text = _CLOSING_HASHES_RE.sub("", text[: explicit.start()]).strip()
        if not _valid_key(key):
            raise ImportRefused(
                f"Line {line}: the key {{#{key}}} is not valid. A key uses lowercase letters, digits and single "
                f"hyphens (at most {_KEY_MAX_LENGTH} characters), like {{#rights-based-approach}}."
            )
    number = ""
    numbered = _NUMBER_RE.match(text)
    if numbered:
        number, text = numbered.group(1).rstrip("."), numbered.group(2).strip()
    text = " ".join(text.split())
    if not text:
        raise ImportRefused(f"Line {line}: the heading has no text. Write the section's heading after the '#'.")
    if len(text) > _HEADING_MAX_LENGTH:
        raise ImportRefused(
            f"Line {line}: the heading is {len(text)} characters long; a heading has at most "
            f"{_HEADING_MAX_LENGTH}. Move the rest into the section's text."
        )
    if len(number) > _NUMBER_MAX_LENGTH:
        raise ImportRefused(f"Line {line}: the section number {number!r} is longer than {_NUMBER_MAX_LENGTH}.")
    if not explicit:
        key = _derive_key(text)
        if key and not _valid_key(key):
            raise ImportRefused(f"Line {line}: the heading {text!r} gives the key {key!r}, which is not valid.")
        if require_key and not key:
            raise ImportRefused(
                f"Line {line}: the heading {text!r} gives no usable key (a key uses only the letters a-z, digits "
                f"and hyphens). Add an explicit key at the end of the heading, like "
                f"'{'#' * level} {text} {{#a-key-in-latin-letters}}'."
            )
    return key, number, text, bool(explicit)


def _parse(text: str, *, require_keys: bool = True) -> _Parsed:
    text = _normalise_newlines(text.removeprefix("\ufeff"))
    if not text:
        raise ImportRefused("The file is empty: there is nothing to import.")
    if not text.strip():
        raise ImportRefused("The file contains only blank space: there is nothing to import.")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportRefused(f"Line {line}: the file contains a NUL character; it does not look like a text file.")
    lines = text.split("\n")
    headings, open_fence = _headings(text, lines)
    notes: list[str] = []
    if open_fence is not None:
        notes.append(
            f"Line {open_fence}: this code fence is never closed, so everything after it is part of the code "
            "block (no heading after it starts a section)."
        )
    if not headings:
        raise ImportRefused(
            "The file has no headings, so it has no sections. Start each section with a Markdown heading, "
            "like '## 1. Introduction'."
        )

    first = headings[0]
    if first.level == 1 and len(headings) > 1 and all(h.level > 1 for h in headings[1:]):
        notes.append(f"Line {first.line}: '# {first.text.strip()}' is taken as the document's title and skipped.")
        headings = headings[1:]
    level = min(h.level for h in headings)
    starts = [h for h in headings if h.level == level]

    # Text before the first section heading (the title line, when skipped, aside) belongs to no section.
    title_index = first.line - 1 if first is not headings[0] else None
    preamble = [index + 1 for index in range(starts[0].line - 1) if index != title_index and lines[index].strip()]
    if preamble:
        notes.append(
            f"Lines {preamble[0]}-{preamble[-1]}: the text before the first section heading "
            f"(line {starts[0].line}) is not part of any section and was left out."
        )

    sections: list[ParsedSection] = []
    seen: dict[str, int] = {}
    for index, heading in enumerate(starts):
        end = starts[index + 1].line - 1 if index + 1 < len(starts) else len(lines)
        body = _trim_blank_lines(lines[heading.line : end])
        key, number, title, explicit = _split_heading(
            heading.text, line=heading.line, level=level, require_key=require_keys
        )
        if key and (require_keys or explicit):
            if key in seen:
                raise ImportRefused(
                    f"The key '{key}' is used twice: by the heading on line {seen[key]} and by the heading on line "
                    f"{heading.line}. Reword one heading, or give it an explicit key at its end, like "
                    f"'{'#' * level} {title} {{#{key}-2}}'."
                )
            seen[key] = heading.line
        sections.append(
            ParsedSection(
                key=key, number=number, heading=title, level=level, body=body, explicit_key=explicit, line=heading.line
            )
        )
    return _Parsed(sections=sections, notes=notes)


def parse_markdown(text: str) -> list[ParsedSection]:
    """Split a Markdown document into its sections.

    Sections start at the ATX headings (``#`` to ``######``) of the shallowest level present, outside
    fenced code blocks; deeper headings stay in their section's body. A single leading level-1 heading
    followed only by deeper headings is the document's title and is skipped, and text before the
    first section heading is left out. A heading may start with a number (``3.``, ``3.2``, ``IV.``,
    stored without its final dot) and end with an explicit key (``{#some-key}``); without one, the key
    is the slug of the heading text.

    Raises:
        ImportRefused: the text is empty or blank, has no headings, repeats a key, or has a heading
            without usable key (such as one written only in Cyrillic letters and without explicit key).
    """
    return _parse(text).sections


# --- Comparing with the previous version -----------------------------------------------------------


@dataclass
class _Old:
    """A section text of the previous version (or of the source version, for a translation)."""

    section: Section
    position: int
    heading: str
    body: str


def _words(body: str) -> list[str]:
    """The normalised body compared for renames: its words, in lower case."""
    return body.lower().split()


def _shingles(words: list[str]) -> set[int]:
    """The body's consecutive word pairs (hashed), a cheap stand-in to find bodies worth comparing in full."""
    return {hash(pair) for pair in pairwise(words)} or {hash(word) for word in words}


@dataclass
class _Renames:
    pairs: list[tuple[int, int]]  # (candidate index, orphan index)
    not_compared: list[int]  # candidate indexes left out when the comparison budget ran out


def _similar_pairs(candidates: list[tuple[int, str]], orphans: list[tuple[int, str]]) -> _Renames:
    """Pair new bodies with old ones whose difflib ratio is at least RENAME_SIMILARITY, each used once.

    ``candidates`` and ``orphans`` are (index, body) in document order. Identical bodies pair first.
    The full ratio is costly on long bodies, so it is computed only for the pairs sharing the most word
    pairs, most alike first, and within a budget of words compared; with very many bodies on both sides,
    each new body is only looked at next to the old ones nearest its place in the document.
    """
    new_words = {index: _words(body) for index, body in candidates}
    old_words = {index: _words(body) for index, body in orphans}
    new_items = [index for index, _body in candidates if new_words[index]]
    old_items = [index for index, _body in orphans if old_words[index]]
    renames = _Renames(pairs=[], not_compared=[])
    if not new_items or not old_items:
        return renames
    used_new: set[int] = set()
    used_old: set[int] = set()

    by_text: dict[str, list[int]] = {}
    for index in old_items:
        by_text.setdefault(" ".join(old_words[index]), []).append(index)
    for index in new_items:
        for old_index in by_text.get(" ".join(new_words[index]), []):
            if old_index not in used_old:
                renames.pairs.append((index, old_index))
                used_new.add(index)
                used_old.add(old_index)
                break

    new_items = [index for index in new_items if index not in used_new]
    old_items = [index for index in old_items if index not in used_old]
    if not new_items or not old_items:
        return renames
    old_shingles = {index: _shingles(old_words[index]) for index in old_items}
    old_places = {index: rank / max(1, len(old_items) - 1) for rank, index in enumerate(old_items)}
    per_candidate = max(1, _PAIR_BUDGET // len(new_items))
    promising: list[tuple[float, int, int]] = []
    for rank, index in enumerate(new_items):
        shingles = _shingles(new_words[index])
        nearby = old_items
        if len(old_items) > per_candidate:
            place = rank / max(1, len(new_items) - 1)
            nearby = sorted(old_items, key=lambda old: abs(old_places[old] - place))[:per_candidate]
        overlaps: list[tuple[float, int, int]] = []
        for old_index in nearby:
            old = old_shingles[old_index]
            shared = len(shingles & old)
            overlap = shared / (len(shingles) + len(old) - shared)
            if overlap >= _SHINGLE_FLOOR:
                overlaps.append((overlap, index, old_index))
        overlaps.sort(key=lambda item: (-item[0], item[2]))
        promising.extend(overlaps[:_RATIO_TRIES])

    promising.sort(key=lambda item: (-item[0], item[1], item[2]))
    budget = _RATIO_WORD_BUDGET
    for _overlap, index, old_index in promising:
        if index in used_new or old_index in used_old:
            continue
        words, old = new_words[index], old_words[old_index]
        if budget < len(words) + len(old):
            if index not in renames.not_compared:
                renames.not_compared.append(index)
            continue
        budget -= len(words) + len(old)
        matcher = difflib.SequenceMatcher(None, old, words)
        if matcher.real_quick_ratio() < RENAME_SIMILARITY or matcher.quick_ratio() < RENAME_SIMILARITY:
            continue
        if matcher.ratio() >= RENAME_SIMILARITY:
            renames.pairs.append((index, old_index))
            used_new.add(index)
            used_old.add(old_index)
    renames.not_compared = [index for index in renames.not_compared if index not in used_new]
    return renames


def _moved(old_positions: list[int]) -> set[int]:
    """Indexes (into old_positions) of the fewest items whose move explains the order: those outside
    one longest increasing subsequence."""
    tails: list[int] = []  # tails[k]: index of the smallest tail of an increasing run of length k+1
    tail_values: list[int] = []
    parent: list[int | None] = [None] * len(old_positions)
    for index, value in enumerate(old_positions):
        k = bisect_left(tail_values, value)
        parent[index] = tails[k - 1] if k > 0 else None
        if k == len(tails):
            tails.append(index)
            tail_values.append(value)
        else:
            tails[k] = index
            tail_values[k] = value
    kept: set[int] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        kept.add(cursor)
        cursor = parent[cursor]
    return set(range(len(old_positions))) - kept


# --- The service -----------------------------------------------------------------------------------


def _decode(source: bytes | str) -> str:
    if isinstance(source, str):
        return source
    data = bytes(source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRefused(
            f"The file is not UTF-8 text: the byte 0x{data[exc.start]:02X} at byte offset {exc.start} "
            f"(line {line}) cannot be read as UTF-8. Save the file with the UTF-8 encoding and import it again."
        ) from None


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages)


def _texts_of(version: Version) -> list[_Old]:
    return [
        _Old(section=text.section, position=text.position, heading=text.heading, body=text.body_markdown)
        for text in SectionText.objects.filter(version=version).select_related("section").order_by("position")
    ]


def _earlier_passages(version: Version | None) -> dict[int, list[Passage]]:
    """The passages of each section in the version before, by section id (one query)."""
    if version is None:
        return {}
    rows = SectionText.objects.filter(version=version).values_list("section_id", "passages")
    return {section_id: load(stored) for section_id, stored in rows}


@dataclass
class _Details:
    label: str
    language: str
    number: int


def _check_details(
    *,
    document: Document,
    label: str,
    language: str | None,
    translation_of: Version | None,
    kind: str,
    number: int | None,
) -> _Details:
    """Check the new version's label, kind, language and number; fill in the defaults."""
    label = (label or "").strip()
    if not label:
        raise ImportRefused("Give the version a label, like 'Reworked draft 2'.")
    if len(label) > _LABEL_MAX_LENGTH:
        raise ImportRefused(f"The label is {len(label)} characters long; a label has at most {_LABEL_MAX_LENGTH}.")
    if kind not in Version.Kind.values:
        raise ImportRefused(f"Unknown kind {kind!r}: use one of {', '.join(Version.Kind.values)}.")

    if translation_of is not None:
        if translation_of.document_id != document.pk:
            raise ImportRefused(f"Version {translation_of.number} belongs to another document than '{document.slug}'.")
        if translation_of.translation_of_id is not None:
            raise ImportRefused(
                f"Version {translation_of.number} ({translation_of.language}) is itself a translation: "
                "translate the original version instead."
            )
        if not language:
            raise ImportRefused("Say which language the translation is in (for example --language fr).")
        if language == translation_of.language:
            raise ImportRefused(
                f"The translation's language ({language}) is the language of version {translation_of.number} it "
                "translates. Give the language the file is written in."
            )
        if number is not None and number != translation_of.number:
            raise ImportRefused(
                f"A translation carries the number of the version it translates ({translation_of.number}), "
                f"not {number}."
            )
        number = translation_of.number
    else:
        language = language or document.language
        if number is None:
            highest = Version.objects.filter(document=document).aggregate(highest=Max("number"))["highest"]
            number = (highest or 0) + 1
        elif number < 1:
            raise ImportRefused(f"A version number is 1 or more, not {number}.")

    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages:
        raise ImportRefused(f"Unknown language {language!r}: use one of {', '.join(sorted(languages))}.")
    versions = Version.objects.filter(document=document, language=language)
    if versions.filter(label=label).exists():
        raise ImportRefused(
            f"The document '{document.slug}' already has a version labelled '{label}' in '{language}'. "
            "Choose another label."
        )
    if versions.filter(number=number).exists():
        what = f"a translation into '{language}' of version {number}" if translation_of else f"a version {number}"
        raise ImportRefused(f"The document '{document.slug}' already has {what} in '{language}'.")
    return _Details(label=label, language=language, number=number)


def _previous_version(document: Document, details: _Details, *, translation: bool) -> Version | None:
    """The version the new one is compared with: the newest before it in its language (for an original
    version, the newest original version; for a translation, the newest version of any kind)."""
    versions = Version.objects.filter(document=document, language=details.language, number__lt=details.number)
    if not translation:
        versions = versions.filter(translation_of__isnull=True)
    return versions.order_by("-number").first()


def _assign_translation(entries: list[ParsedSection], source: Version) -> list[Section]:
    """The section of the source version each entry translates: by explicit key, or else by position."""
    source_texts = _texts_of(source)
    if all(entry.explicit_key for entry in entries):
        by_key = {old.section.key: old.section for old in source_texts}
        unknown = [f"'{entry.key}' (line {entry.line})" for entry in entries if entry.key not in by_key]
        if unknown:
            raise ImportRefused(
                f"Version {source.number} has no section with the key {', '.join(unknown)}. "
                "A translation's keys are the keys of the version it translates."
            )
        return [by_key[entry.key] for entry in entries]
    if len(entries) != len(source_texts):
        raise ImportRefused(
            f"The file has {len(entries)} sections and version {source.number} has {len(source_texts)}. Without "
            "an explicit key on every heading, the n-th section of the translation is the n-th of the version it "
            "translates, so the counts must match; add keys like {#introduction} to the headings to translate "
            "only some sections."
        )
    for position, (entry, old) in enumerate(zip(entries, source_texts, strict=True), start=1):
        if entry.explicit_key and entry.key != old.section.key:
            raise ImportRefused(
                f"Line {entry.line}: the key '{entry.key}' is not the key of section {position} of version "
                f"{source.number} ('{old.section.key}'). Put the sections in the order of the version they "
                "translate, or give every heading its key."
            )
    return [old.section for old in source_texts]


def _assign_sections(
    document: Document, entries: list[ParsedSection], old_texts: list[_Old], notes: list[str]
) -> tuple[list[Section], set[int]]:
    """The section each entry is (new ones unsaved), and the indexes of entries found renamed by their body."""
    old_by_key = {old.section.key: old for old in old_texts}
    assigned: list[Section | None] = [
        old_by_key[entry.key].section if entry.key in old_by_key else None for entry in entries
    ]
    taken = {section.pk for section in assigned if section is not None}
    orphans = [old for old in old_texts if old.section.pk not in taken]
    candidates = [index for index, entry in enumerate(entries) if assigned[index] is None and not entry.explicit_key]
    renamed: set[int] = set()
    if orphans and candidates:
        renames = _similar_pairs(
            [(index, entries[index].body) for index in candidates],
            [(index, orphan.body) for index, orphan in enumerate(orphans)],
        )
        for index, orphan_index in renames.pairs:
            assigned[index] = orphans[orphan_index].section
            renamed.add(index)
        if renames.not_compared:
            numbers = sorted(entries[index].line for index in renames.not_compared)
            lines = ", ".join(map(str, numbers[:10]))
            if len(numbers) > 10:
                lines += f" and {len(numbers) - 10} more"
            notes.append(
                f"Too many sections changed heading at once to compare all their texts: the sections at lines "
                f"{lines} were not checked for being renamed sections and count as new. If one of them is a "
                "renamed section, give it its old key, like {#old-key}, and import again."
            )
    if any(section is None for section in assigned):
        existing = {section.key: section for section in Section.objects.filter(document=document)}
        for index, entry in enumerate(entries):
            if assigned[index] is None:
                assigned[index] = existing.get(entry.key) or Section(document=document, key=entry.key)
    return [section for section in assigned if section is not None], renamed


def _check_removals(removed: list[_Old]) -> None:
    """Refuse to remove sections that the function named by settings.GUIDANCE_SECTIONS_IN_USE says are in use."""
    if not removed:
        return
    in_use_among = import_string(settings.GUIDANCE_SECTIONS_IN_USE)
    in_use = set(in_use_among(Section.objects.filter(pk__in=[old.section.pk for old in removed])))
    blocked = [old for old in removed if old.section.pk in in_use]
    if blocked:
        listed = ", ".join(f"'{old.section.key}' ({old.heading})" for old in blocked)
        raise ImportRefused(
            f"This import would remove sections that are in use (they have comments, for example): {listed}. "
            "Keep them in the file (a reworded heading can keep its old key, like {#"
            f"{blocked[0].section.key}}}), or allow their removal (--allow-removal)."
        )


def _compare(
    report: ImportReport,
    entries: list[ParsedSection],
    assigned: list[Section],
    old_texts: list[_Old],
    renamed_by_body: set[int],
) -> None:
    """Fill in the report's lists: the new version's entries against the previous version's texts."""
    old_by_pk = {old.section.pk: old for old in old_texts}
    kept_keys: list[str] = []
    kept_old_positions: list[int] = []
    for index, (entry, section) in enumerate(zip(entries, assigned, strict=True)):
        key = section.key
        report.headings[key] = entry.heading
        old = old_by_pk.get(section.pk) if section.pk is not None else None
        if old is None:
            report.added.append(key)
            continue
        kept_keys.append(key)
        kept_old_positions.append(old.position)
        if old.heading != entry.heading or old.body != entry.body:
            report.changed.append(key)
        else:
            report.unchanged.append(key)
        if old.heading != entry.heading or index in renamed_by_body:
            report.renamed.append((key, old.heading, entry.heading))
    report.reordered = [kept_keys[index] for index in sorted(_moved(kept_old_positions))]
    kept = {section.pk for section in assigned}
    for old in old_texts:
        if old.section.pk not in kept:
            report.removed.append(old.section.key)
            report.headings.setdefault(old.section.key, old.heading)


def _translation_origins(
    report: ImportReport, entries: list[ParsedSection], assigned: list[Section], source: Version
) -> list[SectionText | None]:
    """The original text each section of a translation is made from, in the order of ``entries``.

    Normally the same section in the version translated. But a section translated word for word as
    in the previous translation into this language, while its original changed in between, was not
    translated again: it keeps the origin of that previous translation (and goes in ``report.stale``).
    """
    sources = {text.section_id: text for text in SectionText.objects.filter(version=source)}
    previous = {}
    if report.previous is not None and report.previous.translation_of_id is not None:
        previous = {
            text.section_id: text
            for text in SectionText.objects.filter(version=report.previous).select_related("translated_from__version")
        }
    origins: list[SectionText | None] = []
    for entry, section in zip(entries, assigned, strict=True):
        origin = sources.get(section.pk)
        earlier = previous.get(section.pk)
        unchanged = earlier is not None and earlier.heading == entry.heading and earlier.body_markdown == entry.body
        if unchanged and earlier.translated_from is not None and not earlier.translated_from.reads_like(origin):
            origin = earlier.translated_from
            report.stale.append((section.key, origin.version.number))
        origins.append(origin)
    return origins


def _write(
    version: Version,
    entries: list[ParsedSection],
    assigned: list[Section],
    rendered: list[tuple[str, list[Passage]]],
    origins: list[SectionText | None] | None = None,
) -> None:
    """Save the version, its new sections and its section texts in one transaction, in a few queries."""
    with transaction.atomic():
        version.save()
        new_sections = [section for section in assigned if section.pk is None]
        if new_sections:
            Section.objects.bulk_create(new_sections, batch_size=_BATCH_SIZE)
            if any(section.pk is None for section in new_sections):  # a backend that returns no ids
                keys = [section.key for section in new_sections]
                ids = dict(Section.objects.filter(document=version.document, key__in=keys).values_list("key", "pk"))
                for section in new_sections:
                    section.pk = ids[section.key]
        SectionText.objects.bulk_create(
            [
                SectionText(
                    version=version,
                    section=section,
                    position=position,
                    number=entry.number,
                    heading=entry.heading,
                    level=entry.level,
                    body_markdown=entry.body,
                    body_html=html,
                    body_text=plain_text(html),
                    passages=[passage.as_json() for passage in anchored],
                    translated_from=origin,
                )
                for position, (entry, section, (html, anchored), origin) in enumerate(
                    zip(entries, assigned, rendered, origins or [None] * len(entries), strict=True), 1
                )
            ],
            batch_size=_BATCH_SIZE,
        )


def import_markdown(
    *,
    document: Document,
    source: bytes | str,
    label: str,
    language: str | None = None,
    translation_of: Version | None = None,
    kind: str = Version.Kind.DRAFT,
    number: int | None = None,
    published: datetime | None = None,
    changelog: str = "",
    allow_removal: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Create a new version of ``document`` from a Markdown file and report how it differs from the last.

    Sections are matched to the document's sections by key. A section the previous version had and
    the file has not is removed from the new version; the import is refused when the function named
    by ``settings.GUIDANCE_SECTIONS_IN_USE`` says such a section is in use, unless ``allow_removal``.
    A section without explicit key whose heading is new but whose body is very similar to one that
    would be removed keeps that section (and its key): it is reported as renamed.

    For a translation (``translation_of`` given), ``language`` is required and differs from the
    source's, the number is the source's, and each section of the file is the section of the source
    version with the same explicit key or, without explicit keys, at the same position. Each section
    records the original text it translates (``SectionText.translated_from``): see
    ``_translation_origins`` for a section left as in the previous translation.

    Args:
        document: the document the version belongs to.
        source: the file's content: bytes (must be UTF-8) or text.
        label: the version's label, unique for the document and language ("Reworked draft 2").
        language: the version's language; the document's language when not given (not for a translation).
        translation_of: the original version this one translates.
        kind: a ``Version.Kind`` value.
        number: the version number; by default one more than the document's highest.
        published: when the version is published; now when not given.
        changelog: what changed, for readers.
        allow_removal: remove sections even when they are in use.
        progress: called with (sections done, sections in all) as the sections are rendered.

    Returns:
        An :class:`ImportReport` for the new, saved version.

    Raises:
        ImportRefused: with a message for the person importing; nothing has been written.
    """
    text = _decode(source)
    parsed = _parse(text, require_keys=translation_of is None)
    entries = parsed.sections
    notes = list(parsed.notes)
    details = _check_details(
        document=document, label=label, language=language, translation_of=translation_of, kind=kind, number=number
    )
    previous = _previous_version(document, details, translation=translation_of is not None)
    old_texts = _texts_of(previous) if previous is not None else []

    if translation_of is not None:
        assigned, renamed_by_body = _assign_translation(entries, translation_of), set()
    else:
        assigned, renamed_by_body = _assign_sections(document, entries, old_texts, notes)
        if not allow_removal:
            kept = {section.pk for section in assigned}
            _check_removals([old for old in old_texts if old.section.pk not in kept])

    version = Version(
        document=document,
        number=details.number,
        label=details.label,
        kind=kind,
        language=details.language,
        published=published if published is not None else timezone.now(),
        changelog=changelog,
        translation_of=translation_of,
    )
    try:
        version.full_clean()
    except ValidationError as exc:
        raise ImportRefused(f"The version is not valid: {_validation_message(exc)}") from None

    report = ImportReport(version=version, previous=previous, notes=notes)
    _compare(report, entries, assigned, old_texts, renamed_by_body)
    origins = _translation_origins(report, entries, assigned, translation_of) if translation_of is not None else None

    # Render every body once, before the transaction, so that the write stays short; each passage
    # takes over the anchor of the passage it continues (guidance.passages).
    earlier = _earlier_passages(previous if translation_of is None else None)
    rendered: list[tuple[str, list[Passage]]] = []
    for done, (entry, section) in enumerate(zip(entries, assigned, strict=True), start=1):
        blocks = render_blocks(entry.body)
        origin = origins[done - 1] if origins is not None else None
        if origin is not None:
            anchored = translated_passages(blocks, origin.passage_list())
        else:
            anchored = passages(blocks, earlier.get(section.pk, []))
        rendered.append(("\n".join(block.html for block in blocks), anchored))
        if progress is not None:
            progress(done, len(entries))

    try:
        _write(version, entries, assigned, rendered, origins)
    except IntegrityError as exc:
        version.pk = None
        raise ImportRefused(
            f"The database refused the new version ({exc}). Another import of '{document.slug}' may have run at "
            "the same time: look at the document's versions and try again."
        ) from None
    # Cached pages show the previous version: drop them once the new one is committed (never for a dry run).
    transaction.on_commit(bump_generation)
    return report
