"""What a poster and a coordinator write about a comment after it was posted: the poster's
corrections, and the coordinators' private answers to the poster.

A correction is kept apart (``CommentRevision``) and screened; readers keep seeing the comment as
it was until a coordinator approves the correction, then the text is replaced and marked "edited".
A private answer is mailed by a task that takes the message's id, to the address the comment
keeps: the coordinator writes it and never sees where it goes. Both are written to the audit log,
which records that a message was sent, never its recipient.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import queue, screening
from comments.models import CommentRevision, ModerationEvent, OrgComment, PrivateMessage, State
from comments.services import CommentError, checked_text, invalidate_target
from comments.text import fingerprint, render_text

Action = ModerationEvent.Action

# A comment its poster may still correct: one being read, waiting, or published.
CORRECTABLE = {State.PENDING, State.REVIEW, State.APPROVED}


def _event(comment: OrgComment, action: str, *, actor=None, reason: str = "", score=None) -> None:
    """An audit entry that changes no state (a correction, a message): old and new state are the same."""
    ModerationEvent.objects.create(
        comment=comment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        old_state=comment.state,
        new_state=comment.state,
        reason=reason,
        score=score,
    )


def pending_correction(comment: OrgComment) -> CommentRevision | None:
    return comment.revisions.filter(status=CommentRevision.Status.PENDING).order_by("-created", "-id").first()


def correction_propose(*, comment: OrgComment, text: str) -> CommentRevision:
    """Store the poster's corrected text for a coordinator to read; the comment is left as it is.

    A second correction before the first is decided replaces it (one waits at a time). The text
    is screened by a task, on commit.
    """
    text = checked_text(text)
    with transaction.atomic():
        locked = OrgComment.objects.select_for_update().get(pk=comment.pk)
        if locked.state not in CORRECTABLE:
            raise CommentError(_("This comment can no longer be corrected."))
        if text == locked.comment:
            raise CommentError(_("The text is the same as your comment's: change it, or leave the page."))
        revision = pending_correction(locked)
        if revision is None:
            revision = CommentRevision(comment=locked)
        revision.text, revision.spam_score, revision.spam_reasons = text, None, []
        revision.created = timezone.now()
        revision.save()
        _event(locked, Action.CORRECT, reason=f"correction #{revision.pk} proposed")
        queue.on_commit(queue.SCREEN_CORRECTION, revision.pk)
    return revision


def correction_screen(*, revision_id: int) -> float | None:
    """Run the text's checks on a waiting correction and keep what they found, for the coordinator.

    A correction is never published automatically, whatever its score: it always waits for a
    coordinator, who sees the findings next to the original.
    """
    with transaction.atomic():
        revision = (
            CommentRevision.objects.select_for_update()
            .filter(pk=revision_id, status=CommentRevision.Status.PENDING)
            .first()
        )
        if revision is None:
            return None
        score, reasons = screening.screen_text(revision.text)
        revision.spam_score, revision.spam_reasons = score, reasons
        revision.save(update_fields=["spam_score", "spam_reasons"])
        comment = OrgComment.objects.get(pk=revision.comment_id)
        _event(comment, Action.SCREEN, reason=f"correction #{revision.pk} screened", score=score)
    return score


def _decided(revision: CommentRevision, status: str) -> OrgComment:
    """Lock the comment and its waiting correction; refuse one already decided."""
    comment = OrgComment.objects.select_for_update().get(pk=revision.comment_id)
    fresh = CommentRevision.objects.select_for_update().get(pk=revision.pk)
    if fresh.status != CommentRevision.Status.PENDING:
        raise CommentError(_("This correction was already decided."))
    fresh.status, fresh.decided_at = status, timezone.now()
    fresh.save(update_fields=["status", "decided_at"])
    revision.text, revision.status = fresh.text, status
    return comment


def correction_approve(*, revision: CommentRevision, by: AbstractBaseUser | None) -> OrgComment:
    """Replace the comment's text with the correction; a published comment then says "edited"."""
    with transaction.atomic():
        comment = _decided(revision, CommentRevision.Status.APPROVED)
        if comment.state not in CORRECTABLE:
            raise CommentError(_("This comment can no longer be corrected."))
        changes = {
            "comment": revision.text,
            "comment_html": render_text(revision.text),
            "fingerprint": fingerprint(revision.text),
        }
        if comment.state == State.APPROVED:
            changes["edited_at"] = timezone.now()
        # An UPDATE, not save(): django-comments-xtd's save() recomputes threads and public flags.
        OrgComment.objects.filter(pk=comment.pk).update(**changes)
        _event(comment, Action.CORRECT_APPROVE, actor=by, reason=f"correction #{revision.pk} approved")
        if comment.is_public:
            transaction.on_commit(lambda: invalidate_target(comment.content_type_id, comment.object_pk), robust=True)
    comment.refresh_from_db()
    return comment


def correction_reject(*, revision: CommentRevision, by: AbstractBaseUser | None, note: str = "") -> OrgComment:
    """Refuse a correction: the comment stays as it was."""
    with transaction.atomic():
        comment = _decided(revision, CommentRevision.Status.REJECTED)
        reason = f"correction #{revision.pk} rejected" + (f": {note.strip()}" if note.strip() else "")
        _event(comment, Action.CORRECT_REJECT, actor=by, reason=reason)
    return comment


def pending_corrections():
    """The corrections waiting for a coordinator, oldest first, each with its comment."""
    return (
        CommentRevision.objects.filter(status=CommentRevision.Status.PENDING)
        .select_related("comment")
        .order_by("created", "id")
    )


def private_message_send(*, comment: OrgComment, text: str, by: AbstractBaseUser) -> PrivateMessage:
    """Queue a coordinator's private answer to a comment's poster; the audit log says it was sent.

    The coordinator never learns the address: the task reads it from the comment, by id.
    """
    text = text.strip()
    if not text:
        raise CommentError(_("Write the message to send."))
    if not comment.user_email:
        raise CommentError(_("This poster left no address to write to (or erased it)."))
    with transaction.atomic():
        message = PrivateMessage.objects.create(comment=comment, text=text, sent_by=by)
        _event(comment, Action.MESSAGE, actor=by, reason=f"private message #{message.pk} sent to the poster")
        queue.on_commit(queue.SEND_PRIVATE_MESSAGE, message.pk)
    return message


def private_message_deliver(*, message_id: int, send) -> bool:
    """Mail a private message once (``send(message)`` mails it); return whether this call sent it.

    The row is locked while the mail goes, and marked sent in the same transaction: a task run
    twice (acks late, a retry) finds it sent and does nothing.
    """
    with transaction.atomic():
        message = (
            PrivateMessage.objects.select_for_update()
            .select_related("comment")
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None or not message.comment.user_email:
            return False
        send(message)
        message.sent_at = timezone.now()
        message.save(update_fields=["sent_at"])
    return True
