"""What the search page reads: its filters' choices, and one page of results, in a fixed number of queries.

Results are section texts of every published version and translation of the note, and the comments
the public may see (``comments.selectors.for_document``, through ``OrgComment.objects.visible()``).
They come in three groups, each by rank: the current text first (the newest version and its
translations), then the comments, then the earlier versions. One query finds every match (a
``UNION`` of the two kinds, only ids and ranks); the page's rows are then loaded with their
highlighted snippets, one query per kind, whatever the number of results.

A comment shows only its public signature (``comments.signature``: who, and the country unless
its poster withheld it), never a name its poster chose to hide, an email or an address. Only a
comment's text is searched, never its signature: finding an anonymous comment by typing a name
would tell who wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_countries import countries as country_names

from campaign.search.backends import PostgresSearch, SimpleSearch, backend
from comments import languages
from comments.models import Kind, OrgComment
from comments.selectors import SIGNATURE_FIELDS, for_document, member_badge
from guidance.models import Document, Section, SectionText, Version
from guidance.selectors import PublishedVersions

#: The value of the kind filter that keeps the note's text alone (the others are comment kinds).
NOTE = "note"
PER_PAGE = 20
# The groups results come in, first to last.
CURRENT, COMMENTS, EARLIER = 0, 1, 2
_TEXT, _COMMENT = "text", "comment"
_TEXT_FIELDS = ("id", "heading", "number", "version_id", "section_id", "section__key", "section__document_id")
_COMMENT_FIELDS = (*SIGNATURE_FIELDS, "kind", "language", "submit_date", "content_type_id", "object_pk", "level")


@dataclass(frozen=True)
class Choices:
    """What the filters offer: values and labels, in the reader's language."""

    sections: list[tuple[str, str]]  # (key, "3. Heading") of the current version, in reading order
    kinds: list[tuple[str, str]]
    languages: list[tuple[str, str]]  # those the note or a published comment is written in
    countries: list[tuple[str, str]]  # those published comments show (never a withheld one)
    section_ids: dict[str, int]
    headings: dict[int, str]  # section id -> its heading in the reader's language, where the note has it

    @classmethod
    def empty(cls) -> Choices:
        """Nothing to narrow to: the site has no note yet."""
        return cls(sections=[], kinds=[], languages=[], countries=[], section_ids={}, headings={})


def choices(document: Document, versions: PublishedVersions) -> Choices:
    """Load the filters' choices: two queries (the current sections, the comments' languages and countries)."""
    current = versions.current
    reading = versions.translation_in(current, translation.get_language()) or current
    texts = list(SectionText.objects.for_toc(reading)) if reading else []
    rows = set(for_document(document).order_by().values_list("language", "country", "show_country").distinct())
    written_in = {v.language for v in versions.versions} | {language for language, _country, _shown in rows}
    shown = {country for _language, country, visible in rows if country and visible}
    note_kind = str(_("The note’s text"))  # noqa: RUF001 - a typographic apostrophe
    return Choices(
        sections=[(t.section.key, f"{t.number} {t.heading}".strip()) for t in texts],
        kinds=[(NOTE, note_kind), *((value, str(label)) for value, label in Kind.choices)],
        languages=sorted(((code, languages.name(code) or code) for code in written_in), key=lambda c: c[1].casefold()),
        countries=sorted(((code, str(country_names.name(code))) for code in shown), key=lambda c: c[1].casefold()),
        section_ids={t.section.key: t.section_id for t in texts},
        headings={t.section_id: t.heading for t in texts},
    )


@dataclass(frozen=True)
class Filters:
    section: str = ""  # a section's key
    kind: str = ""  # NOTE, or a comment kind
    language: str = ""
    country: str = ""


@dataclass(frozen=True)
class NoteHit:
    """A section's text in one version that holds the words."""

    kind: ClassVar[str] = "note"
    text: SectionText
    version: Version
    heading: SafeString
    snippet: SafeString
    url: str
    current: bool

    @property
    def language_name(self) -> str:
        return languages.name(self.version.language)


@dataclass(frozen=True)
class CommentHit:
    """A published comment that holds the words, signed as its poster chose."""

    kind: ClassVar[str] = "comment"
    comment: OrgComment
    snippet: SafeString
    who: str
    country: str  # its name, or "" when withheld or not given
    on: str  # the heading of the section it is on, or "" for the note as a whole
    url: str


@dataclass(frozen=True)
class Results:
    page: Page
    hits: list[NoteHit | CommentHit]

    @property
    def total(self) -> int:
        return self.page.paginator.count

    @classmethod
    def none(cls) -> Results:
        """No result: what a search finds before the site has a note."""
        return cls(page=Paginator([], PER_PAGE).get_page(1), hits=[])


def _texts(versions: PublishedVersions, choices: Choices, filters: Filters) -> QuerySet | None:
    if filters.country or filters.kind not in ("", NOTE):
        return None  # the note has no country, and is no comment
    texts = SectionText.objects.filter(version_id__in=[v.pk for v in versions.versions]).order_by()
    if filters.section:
        texts = texts.filter(section_id=choices.section_ids[filters.section])
    if filters.language:
        texts = texts.filter(version__language=filters.language)
    return texts


def _comments(document: Document, choices: Choices, filters: Filters) -> QuerySet | None:
    if filters.kind == NOTE:
        return None
    comments = for_document(document).order_by()
    if filters.section:
        section_type = ContentType.objects.get_for_model(Section)
        comments = comments.filter(content_type=section_type, object_pk=str(choices.section_ids[filters.section]))
    if filters.kind:
        comments = comments.filter(kind=filters.kind)
    if filters.language:
        comments = comments.filter(language=filters.language)
    if filters.country:
        # A withheld country is not one anyone may find a comment by.
        comments = comments.filter(country=filters.country, show_country=True)
    return comments


def _matches(engine, versions: PublishedVersions, texts: QuerySet | None, comments: QuerySet | None) -> QuerySet | None:
    """Every match as (kind, id, group, rank, tie), in the order they are shown: one query."""
    columns = ("source", "pk", "group", "rank", "tie")
    parts = []
    if texts is not None:
        current = [v.pk for v in versions.languages_of(versions.current)] if versions.current else []
        group = Case(When(version_id__in=current, then=Value(CURRENT)), default=Value(EARLIER))
        parts.append(
            engine.texts(texts)
            .annotate(
                source=Value(_TEXT),
                group=group,
                # Within a rank: the newer version first, then the note's order.
                tie=F("position") - F("version__number") * 1000,
            )
            .values_list(*columns)
        )
    if comments is not None:
        parts.append(
            engine.comments(comments)
            .annotate(source=Value(_COMMENT), group=Value(COMMENTS), tie=-F("pk"))  # the newest first
            .values_list(*columns)
        )
    if not parts:
        return None
    found = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return found.order_by("group", "-rank", "tie")


def search(
    document: Document,
    versions: PublishedVersions,
    choices: Choices,
    *,
    query: str,
    filters: Filters,
    page_number: str | int | None = 1,
) -> Results:
    """Find ``query`` in the note and its published comments, narrowed by ``filters``; one page of results.

    Three queries whatever the number of results: every match (ids and ranks), then the page's
    section texts and the page's comments with their snippets; one more, only when a comment on the
    page is on a section the current version no longer has, for that section's heading.
    """
    engine = backend(query)
    matches = _matches(engine, versions, _texts(versions, choices, filters), _comments(document, choices, filters))
    page = Paginator(list(matches) if matches is not None else [], PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    notes = _note_hits(engine, document, versions, [pk for source, pk, *_ in rows if source == _TEXT])
    remarks = _comment_hits(engine, choices, [pk for source, pk, *_ in rows if source == _COMMENT])
    hits = [(notes if source == _TEXT else remarks).get(pk) for source, pk, *_ in rows]
    return Results(page=page, hits=[hit for hit in hits if hit is not None])


def _note_hits(
    engine: PostgresSearch | SimpleSearch, document: Document, versions: PublishedVersions, ids: list[int]
) -> dict[int, NoteHit]:
    if not ids:
        return {}
    by_id = {v.pk: v for v in versions.versions}
    current = {v.pk for v in versions.languages_of(versions.current)} if versions.current else set()
    texts = engine.text_snippets(
        SectionText.objects.filter(pk__in=ids).select_related("section").only(*_TEXT_FIELDS, *engine.text_fields)
    ).order_by()
    hits = {}
    for text in texts:
        version = by_id[text.version_id]
        text.version = version
        text.section.document = document
        hits[text.pk] = NoteHit(
            text=text,
            version=version,
            heading=engine.heading(text),
            snippet=engine.body(text),
            url=_note_url(text, version, current=version.pk in current),
            current=version.pk in current,
        )
    return hits


def _note_url(text: SectionText, version: Version, *, current: bool) -> str:
    """Where the text found reads, in its own language: its section's page, or the earlier version at the section."""
    with translation.override(version.language):
        if current:
            return text.section.get_absolute_url()
        return f"{version.get_absolute_url()}#{text.section.key}"


def _comment_hits(engine: PostgresSearch | SimpleSearch, choices: Choices, ids: list[int]) -> dict[int, CommentHit]:
    if not ids:
        return {}
    comments = list(
        engine.comment_snippets(
            OrgComment.objects.visible()
            .filter(pk__in=ids)
            .only(*_COMMENT_FIELDS, *engine.comment_fields)
            .annotate(organisation_verified_at=member_badge(), organisation_linked_name=F("organisation__name"))
        ).order_by()
    )
    on = _section_headings(choices, comments)
    hits = {}
    for comment in comments:
        signature = comment.signature
        hits[comment.pk] = CommentHit(
            comment=comment,
            snippet=engine.comment(comment),
            who=signature.who,
            country=signature.country_name,
            on=on.get((comment.content_type_id, comment.object_pk), ""),
            url=comment.get_absolute_url(),
        )
    return hits


def _section_headings(choices: Choices, comments: list[OrgComment]) -> dict[tuple[int, str], str]:
    """The heading of the section each comment is on, by (content type, object): the reader's, or the current one."""
    section_type = ContentType.objects.get_for_model(Section)
    ids = {int(c.object_pk) for c in comments if c.content_type_id == section_type.pk}
    headings = {pk: choices.headings[pk] for pk in ids if pk in choices.headings}
    missing = ids - headings.keys()
    if missing:  # a section the current version no longer has: its last heading
        headings.update(Section.objects.with_title().filter(pk__in=missing).values_list("pk", "current_heading"))
    return {(section_type.pk, str(pk)): heading for pk, heading in headings.items()}


__all__ = ["NOTE", "PER_PAGE", "Choices", "CommentHit", "Filters", "NoteHit", "Results", "choices", "search"]
