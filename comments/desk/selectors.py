"""Reads for the desk: queue pages with their threads and targets, counts, the audit log.

Every function here runs a fixed number of queries whatever the number of comments:
the queue page is pinned by tests (``tests/comments/test_desk.py``). Nothing here loads
a poster's email, address hash or confirmation hash.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext

from comments import findings
from comments.desk.access import COORDINATORS_GROUP
from comments.models import Kind, ModerationEvent, OrgComment, State
from comments.services import TRANSITIONS
from guidance.models import Document, Section, SectionText, Version

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50

# The queues a coordinator works through, in the order of the tabs.
QUEUES = [State.REVIEW, State.SPAM, State.APPROVED, State.REJECTED, State.WITHDRAWN]
# States counted on the desk but not listed: comments still on their way to a queue.
IN_TRANSIT = [State.PENDING, State.UNCONFIRMED]

# Each desk decision and the state it leads to.
DECISION_STATES = {"approve": State.APPROVED, "reject": State.REJECTED, "spam": State.SPAM, "not_spam": State.REVIEW}

# What the desk may load of a comment: its public fields and the moderation fields, never
# user_email, address_hash, confirmation_hash or the raw ip_address.
DESK_FIELDS = (
    "id", "thread_id", "parent_id", "level", "order", "submit_date", "user_name", "comment", "comment_html",
    "kind", "organisation_name", "organisation_id", "city", "country", "on_behalf_of", "language", "display",
    "version_id", "content_type_id", "object_pk", "state", "state_changed_at", "spam_score", "spam_reasons",
    "campaign_group", "official", "is_public", "show_country", "origin", "passage_key", "quote", "proposal",
    "organisation__name", "organisation__verified_at", "version__label",
)  # fmt: skip
NEIGHBOUR_FIELDS = (
    "id", "thread_id", "parent_id", "level", "submit_date", "user_name", "comment", "kind", "organisation_name",
    "organisation_id", "display", "show_country", "city", "country", "on_behalf_of",
    "state", "official", "organisation__name", "organisation__verified_at",
)  # fmt: skip


SEARCH_WORDS = 8  # more words than this in the search box are ignored
# Where the desk's search looks: what a poster wrote and signed with; never an email or a hash.
SEARCH_FIELDS = ("comment", "user_name", "organisation_name", "on_behalf_of", "city")


def _mentions(word: str) -> Q:
    """Comments whose text or signature contains a word, or that sit on a section named by it."""
    found = Q()
    for name in SEARCH_FIELDS:
        found |= Q(**{f"{name}__icontains": word})
    headed = SectionText.objects.filter(heading__icontains=word).values("section_id")
    sections = Section.objects.filter(Q(key__icontains=word) | Q(pk__in=headed)).values_list("pk", flat=True)
    section_type = ContentType.objects.get_for_model(Section)
    return found | Q(content_type_id=section_type.pk, object_pk__in=[str(pk) for pk in sections])


@dataclass(frozen=True)
class QueueFilters:
    """What a coordinator narrowed the queue to (all optional)."""

    target: tuple[int, str] | None = None  # (content type id, object pk)
    kind: str = ""
    language: str = ""
    country: str = ""
    score_min: float | None = None
    score_max: float | None = None
    campaign_group: int | None = None
    oldest_first: bool = False
    words: str = ""  # each must appear in the text, the signature or the section's key or heading

    def apply(self, comments: QuerySet) -> QuerySet:
        for word in self.words.split()[:SEARCH_WORDS]:
            comments = comments.filter(_mentions(word))
        if self.target is not None:
            comments = comments.filter(content_type_id=self.target[0], object_pk=self.target[1])
        if self.kind:
            comments = comments.filter(kind=self.kind)
        if self.language:
            comments = comments.filter(language=self.language)
        if self.country:
            comments = comments.filter(country=self.country)
        if self.score_min is not None:
            comments = comments.filter(spam_score__gte=self.score_min)
        if self.score_max is not None:
            comments = comments.filter(spam_score__lte=self.score_max)
        if self.campaign_group is not None:
            comments = comments.filter(campaign_group=self.campaign_group)
        ordering = ("submit_date", "id") if self.oldest_first else ("-submit_date", "-id")
        return comments.order_by(*ordering)


@dataclass
class Target:
    label: str
    url: str


@dataclass
class DeskItem:
    """One comment on a queue page, with what a coordinator needs to decide on it."""

    comment: OrgComment
    target: Target | None
    parent: OrgComment | None = None
    replies: list[OrgComment] = field(default_factory=list)
    reasons: list[dict] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


@dataclass
class QueuePage:
    state: str
    page: Page
    items: list[DeskItem]
    groups: list[tuple[int, int]]


def state_counts() -> dict[str, int]:
    """Return how many comments are in each state, in one aggregate query."""
    states = [*QUEUES, *IN_TRANSIT]
    return OrgComment.objects.order_by().aggregate(**{str(s): Count("id", filter=Q(state=s)) for s in states})


def spam_reasons(comment: OrgComment) -> list[dict]:
    """Return the screening's reasons as {check, score, reason} dicts, skipping malformed entries.

    The check's name and its finding are in the coordinator's language; a finding recorded
    without its message code (before findings were translated) is shown as recorded, in English.
    """
    reasons = []
    for entry in comment.spam_reasons or []:
        if not isinstance(entry, dict):
            continue
        score = entry.get("score")
        check = str(entry.get("check", ""))
        params = entry.get("params")
        translated = findings.message(str(entry.get("code", "")), params) if isinstance(params, dict) else ""
        reasons.append(
            {
                "check": str(findings.CHECK_LABELS.get(check, check)),
                "score": score if isinstance(score, int | float) else None,
                "reason": translated or str(entry.get("reason", "")),
            }
        )
    return reasons


def queue_page(state: str, filters: QueueFilters, *, page_number: str | int = 1) -> QueuePage:
    """Return one page of a queue with each comment's page, parent, replies and screening reasons.

    Queries: the count, the page, the neighbours (parents and replies), one per kind of target
    on the page, and the campaign groups of the queue.
    """
    comments = filters.apply(
        OrgComment.objects.filter(state=state).select_related("organisation", "version").only(*DESK_FIELDS)
    )
    page = Paginator(comments, PAGE_SIZE).get_page(page_number)
    return QueuePage(state=state, page=page, items=desk_items(list(page.object_list)), groups=campaign_groups(state))


def desk_items(rows: list[OrgComment]) -> list[DeskItem]:
    """Wrap comments with their page, parent, replies, screening reasons and allowed decisions."""
    parents, replies = _neighbours(rows)
    targets = target_links(rows)
    return [
        DeskItem(
            comment=c,
            target=targets.get((c.content_type_id, c.object_pk)),
            parent=parents.get(c.parent_id) if c.level > 0 else None,
            replies=replies.get(c.pk, []),
            reasons=spam_reasons(c),
            decisions=allowed_decisions(c.state),
        )
        for c in rows
    ]


def allowed_decisions(state: str) -> list[str]:
    """Return the desk decisions a comment in this state can take, as the services allow them."""
    allowed = TRANSITIONS.get(state, set())
    decisions = [d for d, new_state in DECISION_STATES.items() if new_state in allowed]
    # "Not spam" undoes a spam decision; a rejected comment goes back to review some other way.
    return [d for d in decisions if d != "not_spam" or state == State.SPAM]


def campaign_groups(state: str, *, limit: int = 20) -> list[tuple[int, int]]:
    """Return (group, how many in this state) for the largest campaign groups in a queue."""
    rows = (
        OrgComment.objects.filter(state=state, campaign_group__isnull=False)
        .order_by()
        .values_list("campaign_group")
        .annotate(n=Count("id"))
        .order_by("-n", "campaign_group")
    )
    return list(rows[:limit])


def _neighbours(rows: list[OrgComment]) -> tuple[dict[int, OrgComment], dict[int, list[OrgComment]]]:
    """Load the parents and direct replies of the given comments, whatever their state, in one query."""
    if not rows:
        return {}, {}
    ids = [c.pk for c in rows]
    parent_ids = [c.parent_id for c in rows if c.level > 0]
    # A top-level comment is its own parent in django-comments-xtd: leave it out of its replies.
    found = (
        OrgComment.objects.filter(Q(pk__in=parent_ids) | (Q(parent_id__in=ids) & ~Q(pk=F("parent_id"))))
        .select_related("organisation")
        .only(*NEIGHBOUR_FIELDS)
        .order_by("submit_date", "id")
    )
    parents: dict[int, OrgComment] = {}
    replies: dict[int, list[OrgComment]] = defaultdict(list)
    wanted_parents = set(parent_ids)
    wanted_replies = set(ids)
    for c in found:
        if c.pk in wanted_parents:
            parents[c.pk] = c
        if c.parent_id in wanted_replies and c.parent_id != c.pk:
            replies[c.parent_id].append(c)
    return parents, dict(replies)


def target_links(comments) -> dict[tuple[int, str], Target]:
    """Return {(content type id, object pk): Target} for the pages the comments are on.

    One query per kind of target (a document, a section), never one per comment.
    """
    by_type: dict[int, set[str]] = defaultdict(set)
    for c in comments:
        by_type[c.content_type_id].add(c.object_pk)
    links: dict[tuple[int, str], Target] = {}
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        manager = model._default_manager
        objects = (manager.with_title() if hasattr(manager, "with_title") else manager.all()).filter(pk__in=list(pks))
        if any(f.name == "document" for f in model._meta.get_fields()):
            objects = objects.select_related("document")
        for obj in objects:
            links[(content_type_id, str(obj.pk))] = Target(label=target_label(obj), url=obj.get_absolute_url())
    return links


def target_label(obj) -> str:
    """Name a commented page for coordinators: 'Document title / section heading' or the document."""
    document = getattr(obj, "document", None)
    if document is not None and getattr(obj, "key", None):
        return f"{document.title} / {obj.title}"
    return str(obj)


def target_choices() -> list[tuple[str, str]]:
    """Return the filter's choice of pages: each document (as a whole) and each of its sections."""
    document_type = ContentType.objects.get_for_model(Document)
    section_type = ContentType.objects.get_for_model(Section)
    sections: dict[int, list] = defaultdict(list)
    for section in Section.objects.with_title().order_by("key").only("id", "key", "document_id"):
        sections[section.document_id].append(section)
    choices: list[tuple[str, str]] = []
    for document in Document.objects.order_by("created", "id").only("id", "title"):
        choices.append((f"{document_type.pk}-{document.pk}", f"{document.title} (whole note)"))
        for section in sections[document.pk]:
            choices.append((f"{section_type.pk}-{section.pk}", f"{document.title} / {section.title}"))
    return choices


def comment_for_desk(comment_id: int) -> OrgComment | None:
    return OrgComment.objects.filter(pk=comment_id).select_related("organisation", "version").only(*DESK_FIELDS).first()


def comment_events(comment: OrgComment) -> QuerySet:
    """Return a comment's whole audit log, oldest first."""
    return ModerationEvent.objects.filter(comment=comment).select_related("actor").order_by("created", "id")


def events(*, action: str = "", actor: str = "") -> QuerySet:
    """Return the audit log, newest first, narrowed to an action and an actor ('system' or a user id)."""
    found = ModerationEvent.objects.select_related("actor").order_by("-created", "-id")
    if action:
        found = found.filter(action=action)
    if actor == "system":
        found = found.filter(actor__isnull=True)
    elif actor.isdigit():
        found = found.filter(actor_id=int(actor))
    return found


def actor_choices() -> list[tuple[str, str]]:
    """Coordinators and superusers, who can appear in the audit log, plus the system."""
    users = (
        get_user_model()
        .objects.filter(Q(groups__name=COORDINATORS_GROUP) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
        .values_list("pk", "username")
    )
    return [("system", gettext("system"))] + [(str(pk), username) for pk, username in users]


# --- Amendments ------------------------------------------------------------------------------------

AMENDMENT_VIEWS = ("open", "changed", "answered", "all")


@dataclass
class AmendmentItem:
    """A published amendment with wording, as the working group answers it."""

    comment: OrgComment
    target: Target | None
    now: str | None  # the passage's words in the newest text (None: the passage is gone)
    later: list[Version]  # published versions after the one it was written on, newest first

    @property
    def changed(self) -> bool:
        """The passage reads differently now than the words the amendment quoted."""
        return self.now is None or self.comment.quote not in self.now


def amendments(view: str = "open") -> QuerySet:
    """Published amendments with proposed wording: those still to answer (open), those whose passage
    changed and that no version is linked to yet (changed), those answered, or all; oldest first."""
    found = (
        OrgComment.objects.filter(state=State.APPROVED, kind=Kind.AMEND)
        .exclude(proposal="")
        .exclude(passage_key="")
        .select_related("organisation", "version", "taken_up_in")
        .only(*DESK_FIELDS, "outcome", "outcome_reason", "taken_up_in__number")
    )
    if view == "open":
        found = found.filter(outcome="")
    elif view == "answered":
        found = found.exclude(outcome="")
    elif view == "changed":
        found = found.filter(taken_up_in__isnull=True)
    return found.order_by("submit_date", "id")


def amendment_items(rows: list[OrgComment]) -> list[AmendmentItem]:
    """The page's amendments with their pages, their passages as they read now and the later versions:
    four queries whatever the number of amendments (targets, newest texts, versions)."""
    links = target_links(rows)
    section_ids = {int(c.object_pk) for c in rows if c.object_pk.isdigit()}
    newest: dict[int, dict[str, str]] = {}
    texts = (
        SectionText.objects.filter(section_id__in=section_ids, version__in=Version.objects.published().originals())
        .order_by("section_id", "-version__number")
        .values_list("section_id", "passages")
    )
    for section_id, stored in texts:
        if section_id not in newest:
            newest[section_id] = {p["key"]: p["text"] for p in stored or [] if p.get("key")}
    documents = {c.version.document_id for c in rows if c.version_id}
    versions = list(Version.objects.published().originals().filter(document_id__in=documents).order_by("-number"))
    items = []
    for c in rows:
        passages = newest.get(int(c.object_pk), {}) if c.object_pk.isdigit() else {}
        later = [
            v
            for v in versions
            if c.version_id and v.document_id == c.version.document_id and v.number > c.version.number
        ]
        items.append(
            AmendmentItem(
                comment=c,
                target=links.get((c.content_type_id, c.object_pk)),
                now=passages.get(c.passage_key),
                later=later,
            )
        )
    return items
