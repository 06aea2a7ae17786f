"""Reads the public pages share: published versions, a section's history.

Each function runs a fixed number of queries, whatever the number of versions or sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from guidance.diff import SectionChange
from guidance.models import Document, Section, SectionText, Version


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
