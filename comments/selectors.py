"""Reads that pages reuse: threads for a page, counts by kind, endorsements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Case, Count, Exists, ExpressionWrapper, F, Min, Model, OuterRef, Q, When
from django.utils.translation import ngettext

from campaign.organisations.models import Organisation
from comments.models import Display, Kind, ModerationEvent, OrgComment, Outcome, State
from comments.signature import public_signature
from comments.targets import CommentTarget, in_scope


def member_badge() -> Case:
    """The verified date a comment's badge shows: its organisation's, only when its poster's account
    is a member of it (the badge vouches for the poster, not for a name a coordinator linked)."""
    member = Organisation.members.through.objects.filter(
        organisation_id=OuterRef("organisation_id"), user_id=OuterRef("user_id")
    )
    return Case(When(Exists(member), then=F("organisation__verified_at")), default=None)


KIND_ORDER = [k.value for k in Kind]

PUBLIC_FIELDS = (
    "id", "thread_id", "parent_id", "level", "order", "submit_date", "user_name", "comment_html", "kind",
    "organisation_name", "organisation_id", "city", "country", "on_behalf_of", "language", "display",
    "show_country", "version_id", "content_type_id", "object_pk", "official", "state", "edited_at", "origin",
    "passage_key", "quote", "proposal", "outcome", "outcome_reason", "taken_up_in_id",
)  # fmt: skip

# What a comment's public signature is made of (comments.signature).
SIGNATURE_FIELDS = (
    "id", "user_name", "organisation_name", "organisation_id", "city", "country", "on_behalf_of", "display",
    "show_country",
)  # fmt: skip


def listed(target: Model) -> models.QuerySet:
    """What a page's threads show: the visible comments, and the comments their posters withdrew
    that still hold replies others wrote (shown as a placeholder, never with their text).

    A withdrawn comment keeps ``is_public`` when its ancestors are public (services.PASSES_REPLIES);
    whether a visible reply hangs under it is known only in the thread, and ``thread_page`` drops
    the placeholders left with none.
    """
    return OrgComment.objects.for_target(target).filter(
        Q(state=State.APPROVED) | Q(state=State.WITHDRAWN), is_public=True, is_removed=False
    )


def listed_threads(target: Model) -> models.QuerySet:
    """The top-level comments that start a discussion shown on the page: visible ones, and withdrawn
    ones with a visible reply (one subquery, so the page keeps its number of queries)."""
    visible_reply = OrgComment.objects.visible().filter(thread_id=OuterRef("thread_id"), level__gt=0)
    return listed(target).filter(level=0).filter(Q(state=State.APPROVED) | Exists(visible_reply))


def _drop_empty_placeholders(comments: list[OrgComment]) -> list[OrgComment]:
    """Keep a withdrawn comment only when a visible reply hangs somewhere under it."""
    holding: set[int] = set()
    parents = {c.pk: c.parent_id for c in comments}
    for comment in comments:
        if comment.state == State.APPROVED:
            ancestor = parents.get(comment.pk)
            while ancestor in parents and ancestor not in holding and ancestor != comment.pk:
                holding.add(ancestor)
                if parents[ancestor] == ancestor:
                    break
                ancestor = parents[ancestor]
    return [c for c in comments if c.state == State.APPROVED or c.pk in holding]


@dataclass
class ThreadPage:
    page: Page
    comments: list[OrgComment]
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    #: Discussions by the language they were started in: {language: how many}, all languages.
    languages: dict[str, int] = field(default_factory=dict)
    #: The language the threads were narrowed to ('' for all).
    language: str = ""
    #: The passage the threads were narrowed to ('' for all).
    passage: str = ""


def thread_page(
    target: Model,
    *,
    page_number: str | int = 1,
    newest_first: bool = False,
    per_page: int = 50,
    language: str = "",
    passage: str = "",
):
    """Return one page of a target's visible threads: top-level comments paginated, replies included.

    With ``language``, only the discussions started in that language (their replies, in any
    language, with them: a conversation reads whole). Three queries whatever the number of
    comments: the discussions per language (which also gives the paginator its count), the
    page's thread ids, and the comments of those threads in reading order.
    """
    visible = listed(target)
    top = listed_threads(target)
    by_language = dict(top.order_by().values_list("language").annotate(n=Count("id")))
    if language:
        top = top.filter(language=language)
    if passage:
        # The discussions on one passage: those whose first comment points at it.
        top = top.filter(passage_key=passage)
    ordering = ("-submit_date", "-id") if newest_first else ("submit_date", "id")
    paginator = Paginator(top.order_by(*ordering).values_list("thread_id", flat=True), per_page)
    paginator.count = by_language.get(language, 0) if language else sum(by_language.values())
    if passage:
        paginator.count = top.count()
    page = paginator.get_page(page_number)
    thread_ids = list(page.object_list)
    position = {thread_id: index for index, thread_id in enumerate(thread_ids)}
    comments = list(
        visible.filter(thread_id__in=thread_ids)
        .only(*PUBLIC_FIELDS)
        # The version's and the organisation's columns the renderer shows, on the comment itself:
        # with select_related, each comment would also build a Version (and an Organisation).
        .annotate(
            version_number=F("version__number"),
            version_label=F("version__label"),
            organisation_verified_at=member_badge(),
            organisation_linked_name=F("organisation__name"),
            taken_up_number=F("taken_up_in__number"),
        )
        .order_by()
    )
    # Sorted here, not in SQL: the page's order of threads is known only here, and PostgreSQL would
    # sort whole rows (texts included), on disk once a section has thousands of comments.
    comments.sort(key=lambda c: (position[c.thread_id], c.order))
    comments = _drop_empty_placeholders(comments)
    return ThreadPage(
        page=page,
        comments=comments,
        total=paginator.count,
        languages=by_language,
        language=language,
        passage=passage,
    )


def visible_replies(comment: OrgComment) -> int:
    """How many published replies others wrote under a comment (they stay if it is withdrawn)."""
    if not comment.nested_count:
        return 0
    return (
        OrgComment.objects.visible()
        .filter(thread_id=comment.thread_id, level__gt=comment.level, order__gt=comment.order)
        .filter(order__lte=comment.order + comment.nested_count)
        .count()
    )


def section_counts(sections) -> dict[int, list[tuple[str, str]]]:
    """Return {section id: [(kind, "3 endorsements"), ...]} of visible comments, in one query."""
    sections = list(sections)
    if not sections:
        return {}
    content_type = ContentType.objects.get_for_model(sections[0])
    rows = (
        OrgComment.objects.visible()
        .filter(content_type=content_type, object_pk__in=[str(s.pk) for s in sections])
        .order_by()
        .values_list("object_pk", "kind")
        .annotate(n=Count("id"))
    )
    by_section: dict[int, dict[str, int]] = defaultdict(dict)
    for object_pk, kind, n in rows:
        by_section[int(object_pk)][kind] = n
    return {
        section_id: [(kind, count_label(kind, kinds[kind])) for kind in KIND_ORDER if kind in kinds]
        for section_id, kinds in by_section.items()
    }


def passage_counts(section) -> dict[str, list[tuple[str, str]]]:
    """Return {passage anchor: [(kind, "2 amendments"), ...]} of a section's visible comments, in one query."""
    rows = (
        OrgComment.objects.visible()
        .for_target(section)
        .exclude(passage_key="")
        .order_by()
        .values_list("passage_key", "kind")
        .annotate(n=Count("id"))
    )
    by_passage: dict[str, dict[str, int]] = defaultdict(dict)
    for key, kind, n in rows:
        by_passage[key][kind] = n
    return {
        key: [(kind, count_label(kind, kinds[kind])) for kind in KIND_ORDER if kind in kinds]
        for key, kinds in by_passage.items()
    }


@dataclass(frozen=True)
class Response:
    url: str
    label: str
    outcome: str


@dataclass(frozen=True)
class VersionResponses:
    """The published amendments a version took up, for "changed in response to N amendments from M organisations"."""

    amendments: int
    organisations: int
    items: list[Response]


def version_responses(version) -> VersionResponses | None:
    """The visible amendments linked to ``version`` (desk: "taken up in"), signed as their posters chose; one query."""
    found = list(
        OrgComment.objects.visible()
        .filter(taken_up_in=version)
        .only(*SIGNATURE_FIELDS, "outcome", "passage_key", "object_pk", "content_type_id", "submit_date")
        .annotate(organisation_verified_at=member_badge(), organisation_linked_name=F("organisation__name"))
        .order_by("submit_date", "id")
    )
    if not found:
        return None
    outcomes = dict(Outcome.choices)
    items = []
    for comment in found:
        who = comment.signature.who
        items.append(
            Response(url=comment.get_absolute_url(), label=who, outcome=str(outcomes.get(comment.outcome, "")))
        )
    organisations = {c.signature.organisation.casefold() for c in found if c.signature.organisation}
    return VersionResponses(amendments=len(found), organisations=len(organisations), items=items)


def count_label(kind: str, n: int) -> str:
    """Say how many comments of a kind there are, in the reader's language."""
    labels = {
        Kind.ENDORSE: ngettext("%(n)d endorsement", "%(n)d endorsements", n),
        Kind.AMEND: ngettext("%(n)d amendment", "%(n)d amendments", n),
        Kind.CONCERN: ngettext("%(n)d concern", "%(n)d concerns", n),
        Kind.QUESTION: ngettext("%(n)d question", "%(n)d questions", n),
        Kind.COMMENT: ngettext("%(n)d comment", "%(n)d comments", n),
    }
    return labels[kind] % {"n": n}


def sections_in_use(sections) -> set[int]:
    """Return the ids of the sections that have any comment at all, visible or not."""
    sections = list(sections)
    if not sections:
        return set()
    content_type = ContentType.objects.get_for_model(sections[0])
    pks = (
        OrgComment.objects.filter(content_type=content_type, object_pk__in=[str(s.pk) for s in sections])
        .order_by()
        .values_list("object_pk", flat=True)
        .distinct()
    )
    return {int(pk) for pk in pks}


def for_document(document: CommentTarget) -> models.QuerySet:
    """Visible comments on a document as a whole or on any of its parts (comments.targets)."""
    return OrgComment.objects.visible().filter(in_scope(document))


@dataclass(frozen=True)
class EndorsementCounts:
    """How many endorse the note: statements, and the organisations and countries they show."""

    endorsements: int
    organisations: int
    countries: int


@dataclass(frozen=True)
class ShownEndorsement:
    """Endorsements that show readers the same organisation, country and badge (comments.signature),
    and how many they are: what counting endorsers needs, without reading every endorsement."""

    organisation: str  # "" when none is shown
    country: str  # ISO code, "" when none is shown
    verified: bool
    endorsements: int
    #: The id of the first of them stored (the order of ids is the order they were posted in, imports aside).
    first: int


def _shown_expressions() -> dict:
    """What a signature shows of organisation, country and badge is made of (``OrgComment.signature``
    reading an annotated row), each as the expression that reads it."""
    return {
        "display": F("display"),
        "show_country": F("show_country"),
        "country": F("country"),
        "organisation_name": F("organisation_name"),
        "linked_name": F("organisation__name"),
        "badge": member_badge(),
    }


SHOWN_PARTS = tuple(_shown_expressions())


def _shown_parts(comments: models.QuerySet) -> models.QuerySet:
    """The comments with the parts that are not fields of their own (the linked name, the badge)."""
    expressions = _shown_expressions()
    return comments.annotate(linked_name=expressions["linked_name"], badge=expressions["badge"])


def _group_shown(rows) -> list[ShownEndorsement]:
    """Merge rows of (the ``SHOWN_PARTS``..., how many, earliest id) into what their signatures show.

    The rows are grouped in SQL by what a signature is made of and only then passed through the one
    rule (``public_signature``), so a poster's choice counts exactly as on every page: an anonymous
    endorsement shows no organisation, a withheld country no country.
    """
    shown: dict[tuple[str, str, bool], list] = {}
    for display, show_country, country, own_name, linked_name, badge, n, first in rows:
        # As OrgComment.signature reads an annotated row: the linked organisation's name, else the one typed.
        signed = public_signature(
            display=display,
            organisation=linked_name or own_name,
            country=country or "",
            show_country=show_country,
            verified=bool(badge),
        )
        key = (signed.organisation, signed.country, signed.verified)
        if key in shown:
            shown[key][0] += n
            shown[key][1] = min(shown[key][1], first)
        else:
            shown[key] = [n, first]
    groups = [ShownEndorsement(*key, endorsements=n, first=first) for key, (n, first) in shown.items()]
    return sorted(groups, key=lambda group: (group.first, group.organisation, group.country))


def shown_endorsements(document) -> list[ShownEndorsement]:
    """The published endorsements of a document, grouped by what their signatures show of organisation,
    country and badge, the earliest first (one grouped query, a row per distinct signature)."""
    rows = (
        _shown_parts(for_document(document).filter(level=0, kind=Kind.ENDORSE))
        .order_by()
        .values_list(*SHOWN_PARTS)
        .annotate(n=Count("id"), first=Min("id"))
    )
    return _group_shown(rows)


@dataclass(frozen=True)
class Tallied:
    """How many published comments share a target, a kind, an answer, whether they propose wording, and
    the version that took them up."""

    content_type_id: int
    object_pk: str
    kind: str
    outcome: str
    worded: bool
    taken_up_in_id: int | None
    comments: int


@dataclass(frozen=True)
class Tally:
    counts: list[Tallied]
    endorsements: list[ShownEndorsement]


def tally(document) -> Tally:
    """Count a document's published comments, and group its endorsements by what their signatures show
    (as ``shown_endorsements`` does), in one pass over them: one grouped query.

    The parts of a signature are grouped on for top-level endorsements only (NULL for every other
    comment), so the rows stay about as many as the distinct endorsers.
    """
    endorsement = Q(level=0, kind=Kind.ENDORSE)
    parts = {
        f"endorsement_{name}": Case(When(endorsement, then=expression), default=None)
        for name, expression in _shown_expressions().items()
    }
    rows = (
        for_document(document)
        .order_by()
        .annotate(worded=ExpressionWrapper(~Q(proposal=""), output_field=models.BooleanField()), **parts)
        .values_list("content_type_id", "object_pk", "kind", "outcome", "worded", "taken_up_in_id", *parts)
        .annotate(n=Count("id"), first=Min("id"))
    )
    counts: dict[tuple, int] = defaultdict(int)
    endorsements = []
    for row in rows:
        counted, shown, (n, first) = row[:6], row[6:12], row[12:]
        counts[counted] += n
        if shown[0] is not None:  # a top-level endorsement: its display is never NULL
            endorsements.append((*shown, n, first))
    return Tally(
        counts=[Tallied(*key, comments=n) for key, n in counts.items()],
        endorsements=_group_shown(endorsements),
    )


def fold(name: str) -> str:
    """An organisation's name as endorsers are counted: one whatever its case and spacing."""
    return " ".join(name.casefold().split())


def endorsement_counts(document) -> EndorsementCounts:
    """Count the published endorsements of a document and the organisations and countries shown on them.

    One query; organisations and countries are counted as readers see them (comments.signature), so
    an anonymous endorsement counts once and names no organisation, and a withheld country is not counted.
    """
    groups = shown_endorsements(document)
    return EndorsementCounts(
        endorsements=sum(group.endorsements for group in groups),
        organisations=len({fold(group.organisation) for group in groups if group.organisation}),
        countries=len({group.country for group in groups if group.country}),
    )


def endorsements(document, *, kind: str = "", country: str = "", language: str = "") -> dict:
    """Return who endorses (or comments on) a document, grouped by country, with per-country counts."""
    comments = for_document(document).filter(level=0)
    if kind:
        comments = comments.filter(kind=kind)
    if country:
        # A withheld country is not a country anyone may find a comment by.
        comments = comments.filter(country=country, show_country=True)
    if language:
        comments = comments.filter(language=language)
    rows = list(_entries(comments).order_by("country", "submit_date"))
    groups: dict[str, list[OrgComment]] = defaultdict(list)
    for row in rows:
        groups[row.signature.country].append(row)
    return {"total": len(rows), "groups": sorted(groups.items(), key=lambda item: (-len(item[1]), item[0] or "~"))}


ENTRY_FIELDS = (
    "id", "kind", "user_name", "organisation_name", "organisation_id", "city", "country", "on_behalf_of",
    "display", "show_country", "language", "submit_date", "content_type_id", "object_pk",
)  # fmt: skip


def _entries(comments: models.QuerySet) -> models.QuerySet:
    """What a list of entries (endorsers, an organisation's page) reads of each comment: its signature."""
    return comments.annotate(
        organisation_verified_at=member_badge(), organisation_linked_name=F("organisation__name")
    ).only(*ENTRY_FIELDS)


def by_organisation(organisation, *, limit: int = 200) -> list[OrgComment]:
    """The published comments linked to an organisation that show it, newest first (one query).

    Only those whose poster chose to show their organisation: an anonymous comment linked to it by a
    coordinator must not be attributed to it on its page.
    """
    comments = OrgComment.objects.visible().filter(organisation_id=organisation.pk).exclude(display=Display.ANONYMOUS)
    return list(_entries(comments).order_by("-submit_date")[:limit])


def poster_copy(comment: OrgComment) -> dict:
    """Return everything stored about one comment, for its poster (who opened the signed link in their mail).

    Only this comment: not the other comments sent with the same email (a mailbox can be shared in an
    organisation, or change hands, and the other comments may be anonymous or unpublished), not the
    comment it answers nor the replies to it (other people's), and not who among the coordinators
    took each decision. The email address is not repeated: whoever holds the link holds the mailbox
    it was sent to, and a file that names it would only be one more place for it to leak from.
    """

    def when(value) -> str | None:
        return value.isoformat() if value else None

    target = comment.content_object
    retention = timedelta(days=settings.ADDRESS_RETENTION_DAYS)
    events = list(
        comment.events.order_by("created", "id").values_list("created", "action", "old_state", "new_state", "reason")
    )
    return {
        "comment": {
            "id": comment.pk,
            "page": settings.SITE_URL + target.get_absolute_url() if target is not None else None,
            "reply_to": comment.parent_id if comment.parent_id != comment.pk else None,
            "kind": comment.kind,
            "state": comment.state,
            "submitted": when(comment.submit_date),
            "confirmed": when(comment.confirmed_at),
            "language": comment.language,
            "version_read": comment.version.label if comment.version_id and comment.version else None,
            "text": comment.comment,
        },
        "signature": {
            "name": comment.user_name,
            "organisation": comment.organisation_name,
            "organisation_listed": comment.organisation.name
            if comment.organisation_id and comment.organisation
            else None,
            "city": comment.city,
            "country": str(comment.country.code) if comment.country else "",
            "on_behalf_of": comment.on_behalf_of,
            "shown": comment.display,
        },
        "email": {
            "stored": bool(comment.user_email),
            "note": "Not repeated here: it is the address the link to this page was mailed to.",
            "follow_up_mail": comment.followup,
        },
        "address": {
            "stored": "a keyed hash (HMAC) of your internet address, never the address itself",
            "hash": comment.address_hash or None,
            "erased_after": when(comment.submit_date + retention) if comment.address_hash else None,
        },
        "screening": {
            "score": comment.spam_score,
            "reasons": comment.spam_reasons,
            "seconds_to_write": comment.form_seconds,
            "text_fingerprint": comment.fingerprint,
            "near_duplicate_signature": comment.minhash,
            "campaign_group": comment.campaign_group,
        },
        "history": [
            {
                "date": when(created),
                "action": action,
                "from": old_state or None,
                "to": new_state,
                # Only a rejection's reason is for the poster (it was mailed to them); the others are notes
                # coordinators and the screening write for each other.
                "reason": reason if action == ModerationEvent.Action.REJECT else None,
            }
            for created, action, old_state, new_state, reason in events
        ],
        "erased": any(action == ModerationEvent.Action.ERASE for _, action, *_ in events),
    }


def waiting_for_review(*, since) -> tuple[int, int]:
    """Return (comments that entered review since a time, comments waiting for review now)."""
    new = (
        ModerationEvent.objects.filter(new_state=State.REVIEW, created__gte=since)
        .values("comment_id")
        .distinct()
        .count()
    )
    return new, OrgComment.objects.filter(state=State.REVIEW).count()
