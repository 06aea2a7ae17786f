"""Reads the public pages share: published versions, a section's history.

Each function runs a fixed number of queries, whatever the number of versions or sections.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from guidance.diff import SectionChange
from guidance.models import Document, Section, SectionText, Version
from guidance.rendering import lift_headings


@dataclass
class PublishedVersions:
    """A document's published versions (originals and translations), loaded in one query."""

    document: Document
    versions: list[Version]

    @cached_property
    def originals(self) -> list[Version]:
        """Versions in the document's own language, oldest first."""
        return sorted((v for v in self.versions if not v.is_translation), key=lambda v: v.number)

    @cached_property
    def current(self) -> Version | None:
        """The newest published version in the document's own language."""
        return self.originals[-1] if self.originals else None

    @cached_property
    def original_text(self) -> Version | None:
        """The text the campaign reworks (the oldest version of kind "original")."""
        return next((v for v in self.originals if v.kind == Version.Kind.ORIGINAL), None)

    def get(self, number: int, lang: str | None = None) -> Version | None:
        """Return the published version with this number (in this language), or None."""
        for version in self.versions:
            if version.number != number:
                continue
            if lang is None and not version.is_translation:
                return version
            if lang is not None and version.language == lang:
                return version
        return None

    def translations_of(self, version: Version) -> list[Version]:
        """Return the published translations of an original version."""
        return [v for v in self.versions if v.translation_of_id == version.pk]

    def translation_in(self, version: Version | None, language: str) -> Version | None:
        """Return the published translation of an original version into ``language``, or None."""
        if version is None or version.language == language:
            return None
        return next((v for v in self.translations_of(version) if v.language == language), None)

    def languages_of(self, version: Version) -> list[Version]:
        """Return the original of this version and all its published translations, original first."""
        source_id = version.translation_of_id or version.pk
        source = next((v for v in self.originals if v.pk == source_id), None)
        siblings = [v for v in self.versions if v.translation_of_id == source_id]
        return ([source] if source else []) + siblings

    def previous(self, version: Version) -> Version | None:
        """Return the original version published just before this one."""
        earlier = [v for v in self.originals if v.number < version.number]
        return earlier[-1] if earlier else None

    @cached_property
    def history(self) -> list[tuple[Version, list[Version]]]:
        """Return each original version, newest first, with its translations."""
        return [(v, self.translations_of(v)) for v in reversed(self.originals)]


def published_versions(document: Document) -> PublishedVersions:
    """Load a document's published versions in one query."""
    versions = list(Version.objects.published().filter(document=document).order_by("number", "language"))
    by_id = {v.pk: v for v in versions}
    for version in versions:
        # Reuse the objects already in hand: building URLs and labels must not query again.
        version.document = document
        if version.translation_of_id in by_id:
            version.translation_of = by_id[version.translation_of_id]
    return PublishedVersions(document=document, versions=versions)


def toc(version: Version | None) -> list[SectionText]:
    """Return a version's table of contents (no bodies), each entry with its ``comment_counts``.

    Two queries: the sections, and the counts from the hook named by GUIDANCE_SECTION_COUNTS
    (guidance knows nothing of comments; the hook returns, per section id, a list of
    (kind, label) pairs such as ("endorse", "3 endorsements")).
    """
    if not version:
        return []
    texts = list(SectionText.objects.for_toc(version))
    hook = getattr(settings, "GUIDANCE_SECTION_COUNTS", "")
    counts = import_string(hook)([t.section for t in texts]) if hook and texts else {}
    for text in texts:
        text.comment_counts = counts.get(text.section_id, [])
    return texts


def version_responses(version: Version):
    """What a version took up of readers' proposals, from the hook GUIDANCE_VERSION_RESPONSES (one query).

    The hook returns an object with ``amendments``, ``organisations`` and ``items`` (each with a
    ``url`` and a ``label``), or None when the version took up nothing; guidance knows nothing of comments.
    """
    hook = getattr(settings, "GUIDANCE_VERSION_RESPONSES", "")
    return import_string(hook)(version) if hook else None


def reading(version: Version) -> list[SectionText]:
    """Return a version's sections with their rendered bodies, in one query."""
    return list(SectionText.objects.for_reading(version))


@dataclass
class HistoryEntry:
    """How a section changed in one version, compared with the version before it."""

    version: Version
    change: SectionChange

    @property
    def status(self) -> str:
        return self.change.status


def section_texts(section: Section, versions: list[Version]) -> dict[int, SectionText]:
    """Return the section's text in each of the given versions, by version id, in one query."""
    texts = SectionText.objects.filter(section=section, version__in=[v.pk for v in versions])
    result = {}
    by_id = {v.pk: v for v in versions}
    for text in texts:
        text.section = section
        text.version = by_id[text.version_id]
        result[text.version_id] = text
    return result


def section_history(section: Section, originals: list[Version], texts: dict[int, SectionText]) -> list[HistoryEntry]:
    """Compare the section in each original version with the one before (oldest first).

    Versions where the section is absent and was already absent before are left out.
    """
    entries = []
    previous: SectionText | None = None
    for version in originals:
        text = texts.get(version.pk)
        if text is not None or previous is not None:
            entries.append(HistoryEntry(version=version, change=SectionChange(section=section, old=previous, new=text)))
        previous = text
    return entries


# --- Translations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outdated:
    """A translated section whose original reads differently in a later version than the one it was made from."""

    section: Section
    translated_from: Version  # the original version the translation was made from
    changed_in: Version  # the later original version where the section reads differently

    @property
    def diff_url(self) -> str:
        """The section page's comparison of the two originals."""
        query = f"?from={self.translated_from.number}&to={self.changed_in.number}"
        return f"{self.section.get_absolute_url()}{query}#diff-heading"


def outdated(text: SectionText, origin: SectionText | None, now: SectionText | None) -> Outdated | None:
    """Say whether a translated text may be out of date: its origin differs from the original ``now``.

    ``origin`` is the original text the translation was made from and ``now`` the section in the
    newest original version; with either unknown, nothing can be said.
    """
    if origin is None or now is None or origin.pk == now.pk or origin.reads_like(now):
        return None
    return Outdated(section=text.section, translated_from=origin.version, changed_in=now.version)


def outdated_sections(
    texts: list[SectionText], current: Version | None, versions: PublishedVersions
) -> dict[int, Outdated]:
    """Return, by section id, the sections of a translation whose original changed after they were translated.

    One query: the original texts the translation was made from, and the same sections in the
    current version.
    """
    origin_ids = {text.translated_from_id for text in texts if text.translated_from_id}
    if current is None or not origin_ids:
        return {}
    originals = SectionText.objects.filter(
        Q(pk__in=origin_ids) | Q(version=current, section_id__in=[text.section_id for text in texts])
    ).only("id", "version_id", "section_id", "heading", "body_markdown")
    by_version = {v.pk: v for v in versions.versions}
    by_pk, now = {}, {}
    for original in originals:
        original.version = by_version.get(original.version_id)
        by_pk[original.pk] = original
        if original.version_id == current.pk:
            now[original.section_id] = original
    found = {}
    for text in texts:
        text.section.document = versions.document  # for the diff's address, without a query per section
        origin = by_pk.get(text.translated_from_id)
        if origin is not None and origin.version is not None:
            stale = outdated(text, origin, now.get(text.section_id))
            if stale is not None:
                found[text.section_id] = stale
    return found


def pick_version(raw: str | None, versions: PublishedVersions) -> tuple[Version | None, str]:
    """Turn a version number typed or chosen by a reader into a published original version.

    Return the version (None when none was asked for or it is not valid) and an error message.
    """
    if raw is None or raw.strip() == "":
        return None, ""
    raw = raw.strip().removeprefix("v")
    try:
        number = int(raw) if raw.isdecimal() else None
    except ValueError:  # more digits than Python converts
        number = None
    if number is None:
        return None, _("“%(value)s” is not a version number.") % {"value": raw[:20]}
    found = versions.get(number)
    if found is None:
        return None, _("There is no published version %(number)s.") % {"number": raw[:20]}
    return found, ""


def _differs(change: SectionChange) -> bool:
    return change.heading_changed or change.body_changed


def _translations_of_section(
    texts: dict[int, SectionText], versions: PublishedVersions, shown_in: Version
) -> dict[str, SectionText]:
    """Return, by language, the newest published translation of the section up to the version shown."""
    found: dict[str, SectionText] = {}
    for version in sorted(versions.versions, key=lambda v: -v.number):
        if version.is_translation and version.number <= shown_in.number and version.pk in texts:
            found.setdefault(version.language, texts[version.pk])
    return found


def _origin(translated: SectionText, texts: dict[int, SectionText]) -> SectionText | None:
    """The original text a translation was made from (its version's original, for one that does not say)."""
    by_pk = {text.pk: text for text in texts.values()}
    if translated.translated_from_id in by_pk:
        return by_pk[translated.translated_from_id]
    return texts.get(translated.version.translation_of_id)


# --- Reading section by section -----------------------------------------------------------------------


@dataclass(frozen=True)
class SectionLink:
    """A section beside the one shown, as a reader follows it: its address, number and heading."""

    url: str
    number: str
    heading: str
    language: str  # the heading's


@dataclass(frozen=True)
class Neighbours:
    """The sections before and after the one shown, in the order of the version it is shown in."""

    previous: SectionLink | None = None
    next: SectionLink | None = None

    def __bool__(self) -> bool:
        return bool(self.previous or self.next)


class Beside(NamedTuple):
    """A section next to another in one version, as one query reads it."""

    key: str
    number: str
    heading: str


# For each side: how to order the other texts of the version, and which of them are on that side.
_SIDES = {"previous": ("-position", "position__lt"), "next": ("position", "position__gt")}


def neighbours(sec: Section, versions: list[Version]) -> dict[int, dict[str, Beside | None]]:
    """Return, by version id, the sections just before and after ``sec`` ("previous", "next").

    One query whatever the number of sections: for the section's text in each version, a subquery
    per side and field picks the text at the nearest position below (above) it in the same version
    (an index scan on the version's unique positions).
    """
    annotations = {}
    for side, (order, lookup) in _SIDES.items():
        nearest = SectionText.objects.filter(version_id=OuterRef("version_id"), **{lookup: OuterRef("position")})
        for field, column in zip(Beside._fields, ("section__key", "number", "heading"), strict=True):
            annotations[f"{side}_{field}"] = Subquery(nearest.order_by(order).values(column)[:1])
    rows = SectionText.objects.filter(section=sec, version__in=[v.pk for v in versions]).values(
        "version_id", **annotations
    )
    return {
        row["version_id"]: {
            side: Beside(*(row[f"{side}_{field}"] for field in Beside._fields)) if row[f"{side}_key"] else None
            for side in _SIDES
        }
        for row in rows
    }


def section_neighbours(sec: Section, shown_in: Version, reading_version: Version) -> Neighbours:
    """Link the sections before and after ``sec`` in ``shown_in``'s order (one query).

    A link reads in the language of the text read (a translation) where that translation has the
    same section beside it, otherwise in the version's own.
    """
    around = neighbours(sec, [shown_in, reading_version])
    links = {}
    for side in _SIDES:
        beside = around.get(shown_in.pk, {}).get(side)
        if beside is None:
            continue
        translated = around.get(reading_version.pk, {}).get(side)
        shown, language = beside, shown_in.language
        if translated is not None and translated.key == beside.key:
            shown, language = translated, reading_version.language
        url = Section(document=sec.document, key=beside.key).get_absolute_url()
        links[side] = SectionLink(url=url, number=shown.number, heading=shown.heading, language=language)
    return Neighbours(**links)


@dataclass(frozen=True)
class SectionQuery:
    """What a reader asked of a section page: the two versions to compare (as typed), a translation beside."""

    diff_from: str | None = None
    diff_to: str | None = None
    side: str = ""


@dataclass(frozen=True)
class PassageView:
    """One passage of the text a section page shows: its anchor, its HTML, its comments' counts."""

    key: str  # "" for a heading inside the body
    html: str
    counts: list[tuple[str, str]]  # (kind, "2 amendments"), from the hook GUIDANCE_PASSAGE_COUNTS


def passage_views(sec: Section, text: SectionText) -> list[PassageView]:
    """A text's passages for its section page, each with the counts of its published comments.

    One query, whatever the number of passages: the hook named by GUIDANCE_PASSAGE_COUNTS returns
    {anchor: [(kind, label), ...]} for the whole section (guidance knows nothing of comments).
    """
    passages = text.passage_list()
    hook = getattr(settings, "GUIDANCE_PASSAGE_COUNTS", "")
    counts = import_string(hook)(sec) if hook and any(p.key for p in passages) else {}
    return [
        PassageView(key=p.key, html=lift_headings(p.html), counts=counts.get(p.key, []) if p.key else [])
        for p in passages
    ]


@dataclass
class SectionPage:
    """Everything the section page shows, worked out from the section's texts in one query."""

    document: Document
    section: Section
    text: SectionText
    reading: SectionText
    side: SectionText | None
    side_origin: SectionText | None
    side_missing: bool
    side_languages: list[tuple[str, SectionText]]
    outdated: Outdated | None
    shown_in: Version
    current: Version
    removed_in: Version | None
    history: list[HistoryEntry]
    originals: list[Version]
    first_version: Version
    translations: list[Version]
    diff_from: Version | None
    diff_to: Version | None
    diff: SectionChange | None
    default_from: Version | None
    errors: list[str]
    notes: list[str]
    languages: set[str]  # the languages the text exists in
    passages: list[PassageView]  # the text read, passage by passage
    neighbours: Neighbours  # the sections before and after, to read on

    def context(self) -> dict:
        """The page's template context: one name per field."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def section_page(sec: Section, asked: SectionQuery, *, language: str) -> SectionPage | None:
    """Read a section for its page in ``language``; None when no published version contains it."""
    doc = sec.document
    versions = published_versions(doc)
    originals = versions.originals
    # The section in every published version, translations included: one query.
    texts = section_texts(sec, versions.versions)
    if not any(v.pk in texts for v in originals):
        return None

    containing = [v for v in originals if v.pk in texts]
    shown_in = versions.current if versions.current.pk in texts else containing[-1]
    text = texts[shown_in.pk]
    removed_in = None
    if shown_in != versions.current:
        removed_in = next(v for v in originals if v.number > shown_in.number and v.pk not in texts)

    default_from = _default_from(sec, containing, shown_in, texts)
    diff_from, diff_to, diff, errors, notes = _section_diff(sec, asked, versions, texts, default_from, shown_in)

    # The text in the reader's language where a translation has it; beside its original on request.
    translated = _translations_of_section(texts, versions, shown_in)
    reading_text = translated.get(language) or text
    side = translated.get(asked.side)
    shown_translation = side or (reading_text if reading_text is not text else None)
    # The passages a comment may point at are those of the newest text (Section.comment_passages): in hand.
    sec.__dict__["_comment_passages"] = text.passage_list()
    return SectionPage(
        document=doc,
        section=sec,
        text=text,
        reading=reading_text,
        side=side,
        side_origin=_origin(side, texts) if side else None,
        side_missing=bool(asked.side) and side is None,
        side_languages=[(code, translated[code]) for code in sorted(translated)],
        outdated=outdated(shown_translation, _origin(shown_translation, texts), text) if shown_translation else None,
        shown_in=shown_in,
        current=versions.current,
        removed_in=removed_in,
        history=list(reversed(section_history(sec, originals, texts))),
        originals=originals,
        first_version=containing[0],
        translations=versions.translations_of(shown_in),
        diff_from=diff_from,
        diff_to=diff_to,
        diff=diff,
        default_from=default_from,
        errors=errors,
        notes=notes,
        languages={shown_in.language, *translated},
        passages=passage_views(sec, reading_text) if side is None else [],
        neighbours=section_neighbours(sec, shown_in, reading_text.version),
    )


def _default_from(
    sec: Section, containing: list[Version], shown_in: Version, texts: dict[int, SectionText]
) -> Version | None:
    """The latest earlier version where the section read differently from the text shown."""
    for candidate in reversed(containing):
        if candidate.number < shown_in.number and _differs(SectionChange(sec, texts[candidate.pk], texts[shown_in.pk])):
            return candidate
    return None


def _section_diff(sec, asked, versions, texts, default_from, shown_in):
    """The versions a reader compares (typed, or the defaults), the diff, and what to tell them."""
    errors, notes = [], []
    diff_from, error = pick_version(asked.diff_from, versions)
    errors += [error] if error else []
    diff_to, error = pick_version(asked.diff_to, versions)
    errors += [error] if error else []
    if not (asked.diff_from or "").strip():
        diff_from = default_from
    if not (asked.diff_to or "").strip():
        diff_to = shown_in
    diff = None
    if diff_from and diff_to and not errors:
        missing = [v for v in (diff_from, diff_to) if v.pk not in texts]
        for absent in missing:
            notes.append(_("Version %(number)s does not contain this section.") % {"number": absent.number})
        if diff_from == diff_to:
            notes.append(_("You chose the same version twice: choose two different versions to see what changed."))
        elif not missing:
            diff = SectionChange(sec, texts[diff_from.pk], texts[diff_to.pk])
    return diff_from, diff_to, diff, errors, notes


# --- A section in two versions, side by side ---------------------------------------------------------


@dataclass
class SectionComparison:
    """One section as it reads in two published versions (absent from one of them at most)."""

    document: Document
    section: Section
    a: Version
    b: Version
    change: SectionChange
    originals: list[Version]  # every published original, to choose two others

    def context(self) -> dict:
        """The page's template context: one name per field, and the section page's addresses."""
        page = self.section.get_absolute_url()
        return {
            **{f.name: getattr(self, f.name) for f in fields(self)},
            "form_action": f"{page}#diff-heading",
            "inline_url": f"{self.section.comment_changes_url(self.a.number, self.b.number)}#diff-heading",
        }


def section_comparison(sec: Section, a: int, b: int) -> SectionComparison | None:
    """Read a section in the published versions numbered ``a`` and ``b`` (two queries).

    None when either version is not published, or when neither contains the section.
    """
    versions = published_versions(sec.document)
    version_a, version_b = versions.get(a), versions.get(b)
    if version_a is None or version_b is None:
        return None
    texts = section_texts(sec, [version_a, version_b])
    if not texts:
        return None
    return SectionComparison(
        document=sec.document,
        section=sec,
        a=version_a,
        b=version_b,
        change=SectionChange(sec, texts.get(version_a.pk), texts.get(version_b.pk)),
        originals=versions.originals,
    )
