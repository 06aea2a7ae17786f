"""The consultation report of a document: what readers said of each section, who endorses it and
from where, the amendments and their answers, and what changed between versions and why.

``consultation_report`` reads it in five queries whatever the number of comments, sections or
versions: the document, its published versions, the texts of its original versions (and of the
reader's translation), one aggregate of the published comments (``selectors.tally``: counts by
section, kind and answer, and the endorsements grouped by what their signatures show), and the
amendments with wording (a page of them on the report's page, all of them in its files). Every
comment comes through ``OrgComment.objects.visible()`` (``comments.selectors.for_document``), and
every signature through ``comments.signature``: a poster is named only as they chose.

``as_json`` and ``csv_rows`` give the same public figures as data, under ``LICENCE``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django_countries import countries

from campaign.lib import regions
from comments import selectors
from comments.desk.export import FORMULA_START
from comments.models import Kind, OrgComment, Outcome
from comments.signature import PublicSignature
from guidance.diff import Status, VersionComparison, compare_texts, word_diff
from guidance.models import Document, Section, SectionText, Version
from guidance.selectors import PublishedVersions, published_versions

#: The open licence the report's data is published under: said on the page, in the PDF, the CSV and the JSON.
LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}

#: An amendment's answer as the report counts it; "unanswered" while the working group has not answered.
UNANSWERED = "unanswered"
OUTCOMES = (Outcome.ACCEPTED.value, Outcome.PARTLY.value, Outcome.DECLINED.value, UNANSWERED)


def outcome_label(outcome: str) -> str:
    """An answer's name in the reader's language."""
    return str(dict(Outcome.choices).get(outcome, "")) or gettext("Not answered yet")


@dataclass
class Figures:
    """How many published comments of each kind; amendments by the working group's answer."""

    endorsements: int = 0
    concerns: int = 0
    questions: int = 0
    comments: int = 0
    amendments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def amendments_total(self) -> int:
        return sum(self.amendments.values())

    @property
    def total(self) -> int:
        return self.endorsements + self.concerns + self.questions + self.comments + self.amendments_total

    @property
    def amendments_by_outcome(self) -> list[tuple[str, str, int]]:
        """(answer, its name, how many), in the order the report shows them."""
        return [(outcome, outcome_label(outcome), self.amendments[outcome]) for outcome in OUTCOMES]

    def add(self, kind: str, outcome: str, n: int) -> None:
        if kind == Kind.AMEND:
            self.amendments[outcome if outcome in self.amendments else UNANSWERED] += n
        else:
            attribute = {
                Kind.ENDORSE: "endorsements",
                Kind.CONCERN: "concerns",
                Kind.QUESTION: "questions",
            }.get(kind, "comments")
            setattr(self, attribute, getattr(self, attribute) + n)

    def __iadd__(self, other: Figures) -> Figures:
        self.endorsements += other.endorsements
        self.concerns += other.concerns
        self.questions += other.questions
        self.comments += other.comments
        for outcome in OUTCOMES:
            self.amendments[outcome] += other.amendments[outcome]
        return self


@dataclass
class SectionRow:
    """One line of the figures: a section (or the note as a whole, ``key`` "") and its counts."""

    key: str
    number: str
    title: str
    url: str
    figures: Figures
    #: False for a section the current version no longer has (its comments still count).
    current: bool = True


@dataclass(frozen=True)
class EndorsingOrganisation:
    name: str
    verified: bool
    endorsements: int


@dataclass
class CountryEndorsers:
    """The endorsements shown with one country (code "" when the poster withheld it)."""

    code: str
    name: str
    region: str
    endorsements: int
    organisations: list[EndorsingOrganisation]
    #: Endorsements that show no organisation (anonymous ones, people signing alone).
    unnamed: int

    @property
    def organisations_html(self) -> SafeString:
        """The organisations as the report lists them: names isolated for bidi, verified ones marked,
        separated by middle dots (one join, not a template loop: some countries list hundreds)."""
        verified = f' <span class="badge verified">{escape(gettext("verified"))}</span>'
        return mark_safe(  # noqa: S308 - every name is escaped here
            " · ".join(f"<bdi>{escape(o.name)}</bdi>{verified if o.verified else ''}" for o in self.organisations)
        )


@dataclass
class RegionEndorsers:
    """The endorsements from one M49 region (code "" for a withheld country or one in no region)."""

    code: str
    name: str
    countries: list[CountryEndorsers]

    @property
    def endorsements(self) -> int:
        return sum(country.endorsements for country in self.countries)

    @property
    def organisations(self) -> int:
        return sum(len(country.organisations) for country in self.countries)


#: How many words of an amendment's reason the report prints: a report of thousands of amendments
#: stays a document one reads (and renders within the section page's budget); each links to its whole.
EXCERPT_WORDS = 60


@dataclass(frozen=True)
class Amendment:
    """A published amendment as readers see it: its passage and wording, its answer, its signature."""

    id: int
    url: str
    section_key: str
    section_title: str
    quote: str
    proposal: str
    text: str
    language: str
    outcome: str  # an Outcome, or UNANSWERED
    outcome_reason: str
    taken_up: Version | None
    signature: PublicSignature
    date: date

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)

    @property
    def excerpt(self) -> str:
        """The reason, as the report prints it: its first words (the page and the data files have it whole)."""
        return Truncator(" ".join(self.text.split())).words(EXCERPT_WORDS, truncate="…")

    @property
    def truncated(self) -> bool:
        return len(self.text.split()) > EXCERPT_WORDS

    @property
    def changes(self) -> SafeString:
        """The proposed wording as changes to the words it quotes (escaped: guidance.diff)."""
        return word_diff(self.quote, self.proposal)


@dataclass(frozen=True)
class ChangedSection:
    title: str
    url: str


@dataclass(frozen=True)
class ChangeGroup:
    """The sections a version changed in one way (guidance.diff.Status), named in the reader's language."""

    status: str
    label: str
    sections: list[ChangedSection]


@dataclass
class VersionChange:
    """A published version: its changelog, what changed since the one before, the amendments it took up."""

    version: Version
    previous: Version | None
    compare_url: str
    groups: list[ChangeGroup]
    #: How many amendments it took up; which ones are listed when the report lists every amendment
    #: (a page of the report links to the version's own list instead).
    taken_up_count: int
    taken_up: list[Amendment]


@dataclass
class Report:
    document: Document
    versions: PublishedVersions
    sections: list[SectionRow]
    totals: Figures
    regions: list[RegionEndorsers]
    endorsements: int
    organisations: int
    countries: int
    #: The amendments with wording this report lists: all of them, or one page (``amendments_page``).
    amendments: list[Amendment]
    amendments_page: Page | None
    #: How many amendments with wording are published, on every page.
    worded_amendments: int
    changes: list[VersionChange]
    generated: datetime
    language: str

    @property
    def current(self) -> Version | None:
        return self.versions.current

    @property
    def url(self) -> str:
        return settings.SITE_URL + reverse("campaign:report", kwargs={"slug": self.document.slug})


# --- Reading it ----------------------------------------------------------------------------------------


def consultation_report(slug: str, *, page: str | int | None = None) -> Report:
    """Read a document's report in five queries (404 for an unknown document).

    With ``page``, one page of the amendments (``AMENDMENTS_PER_PAGE``, the page the report's address
    asks for); without, all of them (the PDF and the data files).
    """
    document = get_object_or_404(Document, slug=slug)
    versions = published_versions(document)
    reading = versions.translation_in(versions.current, get_language())
    texts = _texts(versions, reading)
    by_id = _sections(document, versions, reading, texts)
    counted = _count(document, by_id)
    totals = Figures()
    for row in by_id.values():
        totals += row.figures
    amendments_page = None
    if page is None:
        amendments = _amendments(_worded_amendments(document), by_id, versions)
    else:
        paginator = Paginator(_worded_amendments(document), AMENDMENTS_PER_PAGE)
        paginator.count = counted.worded  # counted by the aggregate: no COUNT query of its own
        amendments_page = paginator.get_page(page)
        amendments = _amendments(amendments_page.object_list, by_id, versions)
    endorsement_regions = _regions(counted.endorsements)
    return Report(
        document=document,
        versions=versions,
        sections=_ordered(by_id, texts, versions),
        totals=totals,
        regions=endorsement_regions,
        endorsements=sum(region.endorsements for region in endorsement_regions),
        organisations=len(
            {selectors.fold(o.name) for r in endorsement_regions for c in r.countries for o in c.organisations}
        ),
        countries=len({c.code for region in endorsement_regions for c in region.countries if c.code}),
        amendments=amendments,
        amendments_page=amendments_page,
        worded_amendments=counted.worded,
        changes=_changes(document, versions, texts, by_id, amendments if page is None else None, counted.taken_up),
        generated=timezone.now(),
        language=get_language(),
    )


def _texts(versions: PublishedVersions, reading: Version | None) -> dict[int, list[SectionText]]:
    """The texts of every published original version, and of the reader's translation, by version id (one query)."""
    wanted = [v.pk for v in versions.originals] + ([reading.pk] if reading else [])
    found: dict[int, list[SectionText]] = defaultdict(list)
    rows = (
        SectionText.objects.filter(version_id__in=wanted)
        .select_related("section")
        .only(
            "id", "version_id", "section_id", "position", "number", "heading", "level", "body_markdown",
            "section__id", "section__key", "section__document_id",
        )
        .order_by("version_id", "position")
    )  # fmt: skip
    for text in rows:
        text.section.document = versions.document
        found[text.version_id].append(text)
    return found


def _sections(
    document: Document, versions: PublishedVersions, reading: Version | None, texts: dict[int, list[SectionText]]
) -> dict[int, SectionRow]:
    """A row for the note as a whole (id 0) and for every section any published version has."""
    current = versions.current
    rows: dict[int, SectionRow] = {
        0: SectionRow(key="", number="", title=gettext("The note as a whole"), url=document.get_absolute_url(),
                      figures=Figures())
    }  # fmt: skip
    translated = {t.section_id: t.heading for t in texts.get(reading.pk, [])} if reading else {}
    # The newest wording of each section wins: oldest versions first, later ones overwrite.
    for version in versions.originals:
        for text in texts.get(version.pk, []):
            rows[text.section_id] = SectionRow(
                key=text.section.key,
                number=text.number,
                title=translated.get(text.section_id, text.heading),
                url=text.section.get_absolute_url(),
                figures=Figures(),
                current=bool(current and version.pk == current.pk),
            )
    return rows


def _ordered(
    rows: dict[int, SectionRow], texts: dict[int, list[SectionText]], versions: PublishedVersions
) -> list[SectionRow]:
    """The note as a whole first, then the current version's reading order, then the sections it no longer
    has that were commented on."""
    current = versions.current
    positions = {t.section_id: t.position for t in texts.get(current.pk, [])} if current else {}
    kept = [(pk, row) for pk, row in rows.items() if pk == 0 or row.current or row.figures.total]

    def order(item: tuple[int, SectionRow]) -> tuple[int, int, str]:
        section_id, row = item
        if section_id == 0:
            return (0, 0, "")
        if section_id in positions:
            return (1, positions[section_id], "")
        return (2, 0, row.key)

    return [row for _, row in sorted(kept, key=order)]


@dataclass
class Counted:
    """What the one aggregate over a document's published comments gives besides the sections' figures."""

    #: The endorsements, by what their signatures show.
    endorsements: list[selectors.ShownEndorsement]
    #: Amendments with proposed wording: those the report lists (free-word ones are only counted).
    worded: int = 0
    #: Amendments taken up by each version, by version id.
    taken_up: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _count(document: Document, rows: dict[int, SectionRow]) -> Counted:
    """Add the published comments' counts to the rows; count the amendments with wording and those each
    version took up; group the endorsements: one aggregate (``selectors.tally``)."""
    document_type = ContentType.objects.get_for_model(Document)
    section_type = ContentType.objects.get_for_model(Section)
    tally = selectors.tally(document)
    found = Counted(endorsements=tally.endorsements)
    for counted in tally.counts:
        kind, outcome, n = counted.kind, counted.outcome, counted.comments
        if counted.content_type_id == document_type.pk:
            rows[0].figures.add(kind, outcome, n)
        elif counted.content_type_id == section_type.pk and int(counted.object_pk) in rows:
            rows[int(counted.object_pk)].figures.add(kind, outcome, n)
        if kind == Kind.AMEND and counted.worded:
            found.worded += n
        if counted.taken_up_in_id:
            found.taken_up[counted.taken_up_in_id] += n
    return found


AMENDMENT_FIELDS = (
    *selectors.SIGNATURE_FIELDS, "content_type_id", "object_pk", "kind", "passage_key", "quote", "proposal",
    "comment", "language", "outcome", "outcome_reason", "taken_up_in_id", "submit_date",
)  # fmt: skip

#: How many amendments a page of the report lists: each is a passage, its proposed wording as a diff, a
#: reason and an answer, so 25 already make a long page; the report of a note with thousands of
#: amendments stays a page one reads (and renders within the section page's budget). The PDF and the
#: data files list them all.
AMENDMENTS_PER_PAGE = 25


def _worded_amendments(document: Document):
    """The published amendments with proposed wording (those the working group answers), oldest first,
    signed as their posters chose."""
    return (
        selectors.for_document(document)
        .filter(kind=Kind.AMEND)
        .exclude(proposal="")
        .annotate(organisation_verified_at=selectors.member_badge(), organisation_linked_name=F("organisation__name"))
        .only(*AMENDMENT_FIELDS)
        .order_by("submit_date", "id")
    )


def _amendments(comments, rows: dict[int, SectionRow], versions: PublishedVersions) -> list[Amendment]:
    """The amendments as the report shows them, each with its section's row and the version that took it up."""
    section_type = ContentType.objects.get_for_model(Section)
    published = {v.pk: v for v in versions.originals}
    amendments = []
    for comment in comments:
        row = rows.get(int(comment.object_pk), rows[0]) if comment.content_type_id == section_type.pk else rows[0]
        amendments.append(_amendment(comment, row, published.get(comment.taken_up_in_id)))
    return amendments


def _amendment(comment: OrgComment, row: SectionRow, taken_up: Version | None) -> Amendment:
    return Amendment(
        id=comment.pk,
        url=comment.get_absolute_url(),
        section_key=row.key,
        section_title=row.title,
        quote=comment.quote,
        proposal=comment.proposal,
        text=comment.comment,
        language=comment.language,
        outcome=comment.outcome or UNANSWERED,
        outcome_reason=comment.outcome_reason,
        taken_up=taken_up,
        signature=comment.signature,
        date=timezone.localdate(comment.submit_date),
    )


def _regions(endorsements: list[selectors.ShownEndorsement]) -> list[RegionEndorsers]:
    """The endorsements by region and country, with the organisations they show."""
    by_country: dict[str, list[selectors.ShownEndorsement]] = defaultdict(list)
    for group in endorsements:
        by_country[group.country].append(group)
    by_region: dict[str, list[CountryEndorsers]] = defaultdict(list)
    for code, groups in by_country.items():
        # One entry per organisation however its posters spelled it: the earliest endorsement's spelling.
        organisations: dict[str, list[selectors.ShownEndorsement]] = {}
        for group in groups:
            if group.organisation:
                organisations.setdefault(selectors.fold(group.organisation), []).append(group)
        region = regions.region_of(code)
        by_region[region].append(
            CountryEndorsers(
                code=code,
                name=str(countries.name(code)) if code else gettext("Country not shown"),
                region=region,
                endorsements=sum(group.endorsements for group in groups),
                organisations=sorted(
                    (
                        EndorsingOrganisation(
                            name=shown[0].organisation,
                            verified=any(group.verified for group in shown),
                            endorsements=sum(group.endorsements for group in shown),
                        )
                        for shown in organisations.values()
                    ),
                    key=lambda o: selectors.fold(o.name),
                ),
                unnamed=sum(group.endorsements for group in groups if not group.organisation),
            )
        )
    ordered = [code for code in regions.NAMES if code in by_region] + ([""] if "" in by_region else [])
    return [
        RegionEndorsers(
            code=code,
            name=regions.name(code) or gettext("Elsewhere, or country not shown"),
            countries=sorted(by_region[code], key=lambda c: (-c.endorsements, c.name)),
        )
        for code in ordered
    ]


def _changes(
    document: Document,
    versions: PublishedVersions,
    texts: dict[int, list[SectionText]],
    rows: dict[int, SectionRow],
    amendments: list[Amendment] | None,
    taken_up_counts: dict[int, int],
) -> list[VersionChange]:
    """Each published original version, newest first: what changed since the one before, and what it took up
    (which amendments, when ``amendments`` holds them all)."""
    taken_up: dict[int, list[Amendment]] = defaultdict(list)
    for amendment in amendments or []:
        if amendment.taken_up is not None:
            taken_up[amendment.taken_up.pk].append(amendment)
    changes = []
    previous = None
    for version in versions.originals:
        groups: list[ChangeGroup] = []
        if previous is not None:
            comparison = compare_texts(previous, version, texts.get(previous.pk, []), texts.get(version.pk, []))
            groups = _groups(comparison, rows)
        changes.append(
            VersionChange(
                version=version,
                previous=previous,
                compare_url=document.comment_changes_url(previous.number, version.number) if previous else "",
                groups=groups,
                taken_up_count=taken_up_counts.get(version.pk, 0),
                taken_up=taken_up.get(version.pk, []),
            )
        )
        previous = version
    return list(reversed(changes))


def _groups(comparison: VersionComparison, rows: dict[int, SectionRow]) -> list[ChangeGroup]:
    """What a comparison changed, as the comparison page groups it; sections named as the report names them."""

    def named(changes) -> list[ChangedSection]:
        found = []
        for change in changes:
            row = rows.get(change.section.pk)
            title = row.title if row else change.text.heading
            found.append(ChangedSection(title=title, url=change.section.get_absolute_url()))
        return found

    groups = [
        ChangeGroup(Status.CHANGED, gettext("Changed sections"), named(comparison.changed)),
        ChangeGroup(Status.RENAMED, gettext("Sections with a new heading"), named(comparison.renamed)),
        ChangeGroup(Status.ADDED, gettext("Added sections"), named(comparison.added)),
        ChangeGroup(Status.REMOVED, gettext("Removed sections"), named(comparison.removed)),
        ChangeGroup(Status.MOVED, gettext("Moved sections (same wording)"), named(comparison.moved)),
    ]
    return [group for group in groups if group.sections]


# --- As data -------------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _amendment_data(amendment: Amendment) -> dict:
    """An amendment's public fields: never an email, an address, an account or what the poster hid."""
    signed = amendment.signature
    taken = amendment.taken_up
    return {
        "id": amendment.id,
        "url": _absolute(amendment.url),
        "section": amendment.section_key,
        "section_title": amendment.section_title,
        "quoted_words": amendment.quote,
        "proposed_wording": amendment.proposal,
        "text": amendment.text,
        "language": amendment.language,
        "outcome": amendment.outcome,
        "outcome_reason": amendment.outcome_reason,
        "taken_up_in_version": taken.number if taken else None,
        "taken_up_in_version_label": taken.label if taken else "",
        "signed": signed.who,
        "organisation": signed.organisation,
        "on_behalf_of": signed.on_behalf_of,
        "country": signed.country,
        "date": amendment.date.isoformat(),
    }


def _figures_data(figures: Figures) -> dict:
    return {
        "endorsements": figures.endorsements,
        "amendments": figures.amendments_total,
        "amendments_by_outcome": dict(figures.amendments),
        "concerns": figures.concerns,
        "questions": figures.questions,
        "comments": figures.comments,
    }


def as_json(report: Report) -> dict:
    """The report's public data, with its licence and its source, for ``report.json``."""
    return {
        "licence": {
            **LICENCE,
            "attribution": gettext("Consultation report on “%(title)s”, %(site)s")
            % {"title": report.document.title, "site": settings.SITE_URL},
        },
        "source": report.url,
        "generated": report.generated.isoformat(timespec="seconds"),
        "language": report.language,
        "document": {"slug": report.document.slug, "title": report.document.title},
        "current_version": report.current.number if report.current else None,
        "totals": _figures_data(report.totals),
        "sections": [
            {
                "section": row.key,
                "number": row.number,
                "title": row.title,
                "in_current_version": row.current,
                **_figures_data(row.figures),
            }
            for row in report.sections
        ],
        "endorsements": {
            "total": report.endorsements,
            "organisations": report.organisations,
            "countries": report.countries,
            "regions": [
                {
                    "region": region.code,
                    "name": region.name,
                    "endorsements": region.endorsements,
                    "countries": [
                        {
                            "country": country.code,
                            "name": country.name,
                            "endorsements": country.endorsements,
                            "organisations": [
                                {"name": o.name, "verified": o.verified, "endorsements": o.endorsements}
                                for o in country.organisations
                            ],
                            "endorsements_naming_no_organisation": country.unnamed,
                        }
                        for country in region.countries
                    ],
                }
                for region in report.regions
            ],
        },
        "amendments": [_amendment_data(amendment) for amendment in report.amendments],
        "versions": [
            {
                "number": change.version.number,
                "label": change.version.label,
                "published": change.version.published.isoformat(timespec="seconds"),
                "changelog": change.version.changelog,
                "compared_with": change.previous.number if change.previous else None,
                "changed_sections": {
                    group.status: [section.title for section in group.sections] for group in change.groups
                },
                "amendments_taken_up": [amendment.id for amendment in change.taken_up],
            }
            for change in report.changes
        ],
    }


#: The CSV's columns: one table, each row a count or an amendment (``record`` says which).
CSV_COLUMNS = (
    "record", "section", "section_title", "kind", "outcome", "count", "region", "country", "organisation",
    "quoted_words", "proposed_wording", "text", "outcome_reason", "taken_up_in_version", "signed", "date", "url",
    "licence",
)  # fmt: skip


def csv_rows(report: Report) -> list[list]:
    """The report as one table: counts by section, kind and answer; endorsements by region, country and
    organisation; the amendments. Every row carries the licence, so no row travels without it."""
    licence = f"{LICENCE['name']} {LICENCE['url']}"
    rows: list[dict] = []
    for row in report.sections:
        figures = row.figures
        for kind, n in (
            (Kind.ENDORSE, figures.endorsements),
            (Kind.CONCERN, figures.concerns),
            (Kind.QUESTION, figures.questions),
            (Kind.COMMENT, figures.comments),
        ):
            rows.append({"record": "count", "section": row.key, "section_title": row.title, "kind": kind, "count": n})
        for outcome, _label, n in figures.amendments_by_outcome:
            rows.append(
                {"record": "count", "section": row.key, "section_title": row.title, "kind": Kind.AMEND,
                 "outcome": outcome, "count": n}
            )  # fmt: skip
    for region in report.regions:
        for country in region.countries:
            for organisation in country.organisations:
                rows.append(
                    {"record": "endorsements", "kind": Kind.ENDORSE, "region": region.code, "country": country.code,
                     "organisation": organisation.name, "count": organisation.endorsements}
                )  # fmt: skip
            if country.unnamed:
                rows.append(
                    {"record": "endorsements", "kind": Kind.ENDORSE, "region": region.code, "country": country.code,
                     "organisation": "", "count": country.unnamed}
                )  # fmt: skip
    for amendment in report.amendments:
        data = _amendment_data(amendment)
        rows.append(
            {
                "record": "amendment",
                "kind": Kind.AMEND,
                "region": regions.region_of(data["country"]),
                "count": 1,
                **{key: data[key] for key in CSV_COLUMNS if key in data},
                "taken_up_in_version": data["taken_up_in_version"] or "",
            }
        )
    body = [[_cell(row.get(column, "")) for column in CSV_COLUMNS[:-1]] + [licence] for row in rows]
    return [list(CSV_COLUMNS), *body]


def _cell(value) -> str | int:
    """A cell as written, except that text a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
