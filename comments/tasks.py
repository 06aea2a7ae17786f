"""Celery tasks for comments: thin, ids only, idempotent, retried with backoff.

No task takes an email, an address or a token as an argument: each loads what it
needs from the database by id.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from comments import classifier, mail, queue, revisions, selectors, services
from comments.models import OrgComment, State

log = logging.getLogger(__name__)

# Retry on network errors (mail, broker) and on a database that is briefly unavailable or locked.
RETRY = {"autoretry_for": (OSError, OperationalError), "retry_backoff": 5, "retry_backoff_max": 600, "max_retries": 8}


@shared_task(name=queue.SEND_CONFIRMATION, **RETRY)
def send_confirmation(comment_id: int) -> None:
    """Mail a fresh confirmation link to the poster of a comment still waiting for it."""
    token = services.issue_confirmation_token(comment_id=comment_id)
    if token is None:
        log.info("comment %s needs no confirmation any more", comment_id)
        return
    mail.send_confirmation(OrgComment.objects.get(pk=comment_id), token)


@shared_task(name=queue.NOTIFY_FOLLOWERS, **RETRY)
def notify_followers(comment_id: int) -> None:
    """Mail the posters following a thread that a reply was published in it."""
    comment = OrgComment.objects.filter(pk=comment_id).first()
    if comment is None or not comment.is_public:
        return
    for follower_id, email, language in services.followers_of(comment):
        mail.send_followup(comment, follower_id=follower_id, email=email, language=language)


@shared_task(name="comments.tasks.purge_personal_data")
def purge_personal_data() -> dict[str, int]:
    """Forget what is kept only for a while: address hashes past their retention, unconfirmed comments
    whose confirmation link has expired."""
    hashes = services.purge_address_hashes(older_than=timedelta(days=settings.ADDRESS_RETENTION_DAYS))
    unconfirmed = services.purge_unconfirmed(older_than=timedelta(days=settings.COMMENTS_CONFIRMATION_DAYS))
    log.info("purged %d address hashes and %d unconfirmed comments", hashes, unconfirmed)
    return {"address_hashes": hashes, "unconfirmed_comments": unconfirmed}


@shared_task(name="comments.tasks.clear_sessions")
def clear_sessions() -> None:
    """Delete expired sessions (members' and coordinators'), as ``manage.py clearsessions`` does."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task(name="comments.tasks.sweep_pending")
def sweep_pending() -> int:
    """Hand comments left pending too long to screening again: a lost message only delays a comment."""
    older_than = timedelta(minutes=settings.COMMENTS_SWEEP_AFTER_MINUTES)
    ids = services.stale_pending_ids(older_than=older_than)
    for comment_id in ids:
        services.after_pending(comment_id)
    # A confirmation mail whose message was lost is sent again, or the poster could never confirm.
    unmailed = services.unmailed_unconfirmed_ids(older_than=older_than)
    for comment_id in unmailed:
        send_confirmation.delay(comment_id)
    if ids or unmailed:
        log.info("re-enqueued %d pending comments and %d confirmation mails", len(ids), len(unmailed))
    return len(ids)


@shared_task(name=queue.SCREEN_COMMENT, **RETRY)
def screen_comment(comment_id: int) -> str | None:
    """Screen one pending comment; a comment already decided is left alone."""
    return services.comment_screen(comment_id=comment_id)


@shared_task(name="comments.tasks.noop_comment", **RETRY)
def noop_comment(comment_id: int) -> None:
    """Load and save a comment row and nothing else: the benchmarks' baseline for screen_comment."""
    comment = OrgComment.objects.filter(pk=comment_id).first()
    if comment is not None:
        OrgComment.objects.filter(pk=comment_id).update(spam_score=comment.spam_score)


@shared_task(name=queue.TRAIN_CLASSIFIER, **RETRY)
def train_classifier() -> int | None:
    """Refit the classifier on every labelled example, unless a newer fit already learned them all.

    Queued after each coordinator decision with a delay: of a burst of decisions, the first task to
    run fits once and the others find nothing new. Returns the new model's version, or None.
    """
    model = classifier.retrain()
    return model.version if model is not None else None


@shared_task(name=queue.SEND_DECISION_NOTICE, **RETRY)
def send_decision_notice(comment_id: int) -> None:
    """Tell a poster that their comment was published or rejected (with the reason)."""
    comment = OrgComment.objects.filter(pk=comment_id).first()
    if comment is None or comment.state not in (State.APPROVED, State.REJECTED) or not comment.user_email:
        return
    mail.send_decision(comment)


@shared_task(name="comments.tasks.send_review_digest", **RETRY)
def send_review_digest() -> int:
    """Mail coordinators one summary when comments entered review since the last digest."""
    now = timezone.now()
    since = now - timedelta(minutes=settings.COMMENTS_DIGEST_MINUTES)
    new, waiting = selectors.waiting_for_review(since=since)
    if new:
        # A run redelivered within the same period mails nobody again (mail.send_review_digest).
        period = int(now.timestamp()) // (settings.COMMENTS_DIGEST_MINUTES * 60)
        mail.send_review_digest(new=new, waiting=waiting, period=period)
    return new


@shared_task(name=queue.SCREEN_CORRECTION, **RETRY)
def screen_correction(revision_id: int) -> float | None:
    """Screen a poster's correction for the coordinator who will read it."""
    return revisions.correction_screen(revision_id=revision_id)


@shared_task(name=queue.SEND_PRIVATE_MESSAGE, **RETRY)
def send_private_message(message_id: int) -> bool:
    """Mail a coordinator's private answer to the poster, once; the id is all the task is given."""
    return revisions.private_message_deliver(message_id=message_id, send=mail.send_private_message)


@shared_task(name=queue.SEND_AMENDMENT_ANSWER, **RETRY)
def send_amendment_answer(comment_id: int) -> None:
    """Tell the poster of an amendment the working group's answer, in their language, once per answer."""
    comment = OrgComment.objects.filter(pk=comment_id).first()
    if comment is None or not comment.outcome or comment.state != State.APPROVED or not comment.user_email:
        return
    mail.send_amendment_answer(comment)
