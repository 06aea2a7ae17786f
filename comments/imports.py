"""Bringing the comments of the original campaign page over from its WordPress export.

``plan`` decides, without writing, what becomes of each exported comment: imported in which state,
under which parent, public or not, or skipped and why. ``import_wordpress`` writes that plan in one
transaction; a dry run prints the same plan. An imported comment is a published legacy comment
when WordPress had approved it: dated as it was posted there, signed with the name it was shown
under there, its language recognised from its text, of kind "comment", marked on the page as coming
from the original campaign page. What WordPress held as spam goes to the spam folder, what it kept
waiting to review, what was in its trash is rejected (kept, never shown); pingbacks and trackbacks
are no comments and are skipped.

Imported comments are never screened and nobody is mailed: their posters never confirmed an address
here and have no link to them. The audit log says what happened (submitted, then the decision taken
over from WordPress, both by the system, "imported from WordPress"); the desk's statistics leave them
out (comments.desk.stats). A commenter's email is kept only under ``COMMENTS_IMPORT_KEEP_EMAIL``
(and then, as every poster's, never shown); the client address only as the keyed HMAC, and only for
a comment younger than ``ADDRESS_RETENTION_DAYS`` (older hashes are purged anyway).

Each comment is keyed by its site and its number there (``OrgComment.import_key``): importing the
same export again, or a later export of the same site, imports only what is new.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from campaign.lib.privacy import address_hash
from comments import languages, services
from comments.models import Display, Kind, ModerationEvent, OrgComment, Origin, State
from comments.text import clean_text, fingerprint, render_text
from comments.wordpress import Export, Post, WordPressComment

log = logging.getLogger(__name__)
# An email address anywhere in a name ("Amina amina@example.org" as well as the address alone).
_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
Action = ModerationEvent.Action

REASON = "imported from WordPress"

#: What each WordPress status (wp:comment_approved) becomes here; any other goes to review.
STATES = {
    "1": State.APPROVED,
    "0": State.REVIEW,
    "spam": State.SPAM,
    "trash": State.REJECTED,
    "post-trashed": State.REJECTED,  # a comment on a post that was put in the trash
}
#: The audit event of the decision taken over from WordPress (every import first lands in review).
DECISIONS = {
    State.APPROVED: (Action.APPROVE, f"{REASON}, where it was approved"),
    State.SPAM: (Action.SPAM, f"{REASON}, where it was marked as spam"),
    State.REJECTED: (Action.REJECT, f"{REASON}, where it was in the trash"),
}

# Why a comment was not imported (the summary prints these, with their counts).
ALREADY = "already imported"
PINGBACK = "pingback"
TRACKBACK = "trackback"
OTHER_TYPE = "not a visitor's comment (another wp:comment_type)"
EMPTY = "no text"
UNDATED = "no date"
# What was imported differently from the export (printed as notes).
ORPHAN = "replies to a comment that is not imported: each starts a discussion of its own"
FLATTENED = "replies nested deeper than the site allows: placed under the deepest comment that takes replies"
NAME_DROPPED = "names that were email addresses: signed as anonymous participants"
UNKNOWN_STATUS = "with a WordPress status this command does not know: sent to review"


@dataclass(frozen=True)
class Planned:
    """One exported comment as it will be imported."""

    source: WordPressComment
    key: str
    parent_key: str  # '' for a comment that starts a discussion
    state: str
    public: bool
    text: str
    language: str
    name: str


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do)."""

    site: str
    post: str
    total: int = 0
    imported: Counter = field(default_factory=Counter)  # by state
    published: int = 0
    skipped: Counter = field(default_factory=Counter)  # by reason
    notes: Counter = field(default_factory=Counter)

    @property
    def imported_count(self) -> int:
        return sum(self.imported.values())


@dataclass(frozen=True)
class _Placed:
    """What a reply needs of the comment it hangs under: its depth, its own parent, whether it is shown."""

    level: int
    parent_key: str
    public: bool
    pk: int | None = None  # None for a comment this import is about to write


def _skip_reason(comment: WordPressComment, key: str, known: set[str]) -> str:
    if comment.type == "pingback":
        return PINGBACK
    if comment.type == "trackback":
        return TRACKBACK
    if not comment.is_visitor_comment:
        return OTHER_TYPE
    if key in known:
        return ALREADY
    if comment.date is None:
        return UNDATED
    return ""


def _ancestors_first(post: Post) -> list[WordPressComment]:
    """The post's comments by date, each parent before its replies (whatever the export's order)."""
    by_id = {c.comment_id: c for c in post.comments}
    ordered: list[WordPressComment] = []
    done: set[int] = set()
    earliest = datetime.min.replace(tzinfo=UTC)
    for comment in sorted(post.comments, key=lambda c: (c.date or earliest, c.comment_id)):
        chain: list[WordPressComment] = []
        in_chain: set[int] = set()
        current: WordPressComment | None = comment
        while current is not None and current.comment_id not in done and current.comment_id not in in_chain:
            chain.append(current)
            in_chain.add(current.comment_id)
            current = by_id.get(current.parent_id) if current.parent_id != current.comment_id else None
        for ancestor in reversed(chain):  # a loop of parents is cut where it closes: that one is an orphan
            ordered.append(ancestor)
            done.add(ancestor.comment_id)
    return ordered


def _shown_name(comment: WordPressComment) -> tuple[str, bool]:
    """The name the old page showed, unless it gives away an email or an address; (name, dropped)."""
    private = [part.casefold() for part in (comment.email, comment.address) if part]
    if _EMAIL_LIKE.search(comment.author) or any(part in comment.author.casefold() for part in private):
        return "", True
    return comment.author[:50].strip(), False


def plan(*, export: Export, post: Post, known: set[str], placed: dict[str, _Placed]) -> tuple[list[Planned], Summary]:
    """Decide what becomes of each comment of ``post``; write nothing.

    ``known``: the keys imported before, on any page; ``placed``: those on this page (a reply may
    hang under them).
    """
    summary = Summary(site=export.site, post=post.label(), total=len(post.comments))
    placed = dict(placed)
    max_level = services.max_thread_level()
    planned: list[Planned] = []
    for comment in _ancestors_first(post):
        key = export.key(comment.comment_id)
        reason = _skip_reason(comment, key, known)
        text = "" if reason else clean_text(comment.text())
        if not reason and not text.strip():
            reason = EMPTY
        if reason:
            summary.skipped[reason] += 1
            continue
        parent_key = ""
        if comment.parent_id and comment.parent_id != comment.comment_id:
            parent_key = export.key(comment.parent_id)
            if parent_key not in placed:
                summary.notes[ORPHAN] += 1
                parent_key = ""
            elif placed[parent_key].level >= max_level:
                summary.notes[FLATTENED] += 1
                while parent_key and placed[parent_key].level >= max_level:
                    parent_key = placed[parent_key].parent_key
        state = STATES.get(comment.status)
        if state is None:
            summary.notes[UNKNOWN_STATUS] += 1
            state = State.REVIEW
        parent = placed.get(parent_key)
        # services.refresh_visibility's rule: approved, under a shown parent (the write applies it again).
        public = state == State.APPROVED and (parent is None or parent.public)
        placed[key] = _Placed(level=parent.level + 1 if parent else 0, parent_key=parent_key, public=public)
        name, dropped = _shown_name(comment)
        if dropped:
            summary.notes[NAME_DROPPED] += 1
        language = languages.detect(text, fallback=settings.LANGUAGE_CODE)
        planned.append(Planned(comment, key, parent_key, state, public, text, language, name))
        summary.imported[state] += 1
        summary.published += public
    return planned, summary


def _imported_before(export: Export, target: models.Model) -> tuple[set[str], dict[str, _Placed]]:
    """The keys of this site's comments imported before, and those on ``target`` with their place."""
    rows = list(
        OrgComment.objects.filter(import_key__startswith=f"{export.site}#")
        .order_by()
        .values_list("pk", "import_key", "parent_id", "level", "is_public", "content_type_id", "object_pk")
    )
    keys = {pk: key for pk, key, *_rest in rows}
    content_type = ContentType.objects.get_for_model(target)
    placed = {
        key: _Placed(level, keys.get(parent_id, "") if parent_id != pk else "", public, pk)
        for pk, key, parent_id, level, public, type_id, object_pk in rows
        if type_id == content_type.pk and object_pk == str(target.pk)
    }
    return set(keys.values()), placed


def import_wordpress(
    *,
    export: Export,
    post: Post,
    target: models.Model,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Import the comments of one exported post onto ``target`` (a document or a section), in one
    transaction; with ``dry_run``, only plan it. Return what was (or would be) done."""
    with transaction.atomic():
        known, placed = _imported_before(export, target)
        planned, summary = plan(export=export, post=post, known=known, placed=placed)
        if dry_run or not planned:
            return summary
        ids = {key: where.pk for key, where in placed.items()}
        content_type = ContentType.objects.get_for_model(target)
        events: list[ModerationEvent] = []
        for done, item in enumerate(planned, start=1):
            comment = _write(item, content_type=content_type, target=target, parent_id=ids.get(item.parent_key, 0))
            ids[item.key] = comment.pk
            events.extend(_events(comment))
            if progress is not None:
                progress(done, len(planned))
        ModerationEvent.objects.bulk_create(events)
        transaction.on_commit(lambda: services.invalidate_target(content_type.pk, str(target.pk)), robust=True)
    log.info(
        "Imported %d comments from the WordPress export of %s (post %s): %s; skipped %s",
        summary.imported_count,
        export.site,
        post.post_id,
        {str(state): count for state, count in summary.imported.items()},
        dict(summary.skipped),
    )
    return summary


def _kept_email(comment: WordPressComment) -> str:
    """The commenter's email, only where the site is told to keep it (and it is one)."""
    if not settings.COMMENTS_IMPORT_KEEP_EMAIL or not comment.email:
        return ""
    try:
        validate_email(comment.email)
    except ValidationError:
        return ""
    return comment.email


def _kept_address_hash(comment: WordPressComment, now) -> str:
    """The keyed HMAC of the address, for a comment young enough that the retention keeps it."""
    if comment.date is None or comment.date < now - timedelta(days=settings.ADDRESS_RETENTION_DAYS):
        return ""
    return address_hash(comment.address)


def _write(item: Planned, *, content_type: ContentType, target: models.Model, parent_id: int) -> OrgComment:
    now = timezone.now()
    comment = OrgComment(
        content_type=content_type,
        object_pk=str(target.pk),
        site_id=settings.SITE_ID,
        user=None,
        user_name=item.name,
        user_email=_kept_email(item.source),
        user_url="",
        comment=item.text,
        comment_html=render_text(item.text),
        submit_date=item.source.date,
        ip_address=None,
        is_public=False,
        parent_id=parent_id,
        followup=False,
        kind=Kind.COMMENT,
        # The name it was published under on the old page, and nothing else (no organisation or place).
        display=Display.NAME_AND_ORGANISATION,
        language=item.language,
        mail_language=languages.mail_language(item.language),
        state=item.state,
        state_changed_at=now,
        fingerprint=fingerprint(item.text),
        address_hash=_kept_address_hash(item.source, now),
        origin=Origin.WORDPRESS,
        import_key=item.key,
    )
    # XtdComment.save() places it in its thread (under its parent, after its elder siblings).
    comment.save()
    services.refresh_visibility(comment)
    return comment


def _events(comment: OrgComment) -> list[ModerationEvent]:
    """The audit trail: it arrived (to review), then WordPress's decision, both by the system."""
    events = [
        ModerationEvent(comment=comment, action=Action.SUBMIT, old_state="", new_state=State.REVIEW, reason=REASON)
    ]
    if comment.state in DECISIONS:
        action, reason = DECISIONS[comment.state]
        events.append(
            ModerationEvent(
                comment=comment, action=action, old_state=State.REVIEW, new_state=comment.state, reason=reason
            )
        )
    return events
