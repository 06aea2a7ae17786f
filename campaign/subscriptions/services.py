"""Every write of the subscriptions: subscribe, confirm, change choices, unsubscribe, purge, announce news.

Keyword-only arguments; each write in one transaction; logged by subscriber number, never by address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import batched

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from campaign.subscriptions import keys, queue
from campaign.subscriptions.models import Delivery, News, Subscriber, Topic
from comments.models import OrgComment
from guidance.models import Document, Version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """What the subscription form sends: an address, the topics wanted, the page's language."""

    email: str
    topics: frozenset[str]
    language: str


def subscribe(*, request: Request) -> None:
    """Record a subscription request and queue its mail; tell the caller nothing about the address.

    A new address gets a row waiting for confirmation. An address already there, waiting or confirmed,
    gets no second row: a waiting one takes the topics and language just asked for (only its mailbox
    can confirm them), a confirmed one keeps its own (only the holder of its link changes them). Either
    way one task is queued: it mails the confirmation, or "you are subscribed already" with the link to
    manage it. The caller answers the same page in every case, and the work here is of one kind (one
    locked read, one write, one task), so neither the answer nor its time tells whether the address is known.
    """
    topics = {topic: topic in request.topics for topic in Topic.values}
    with transaction.atomic():
        nonce = keys.new_nonce()
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email_key=keys.subscriber_key(request.email),
            defaults={
                "email": request.email.strip(),
                "language": request.language,
                "link_nonce": nonce,
                "token_hash": keys.hash_token(keys.link_token(nonce)),
                **topics,
            },
        )
        if not created and subscriber.confirmed_at is None:
            # Asked again before confirming: the latest request stands, and its week starts again.
            Subscriber.objects.filter(pk=subscriber.pk).update(
                language=request.language, created=timezone.now(), **topics
            )
        elif not created:
            # Changes nothing, on purpose: one write here as in the two other cases (see the docstring).
            Subscriber.objects.filter(pk=subscriber.pk).update(created=subscriber.created)
        queue.on_commit(queue.SEND_REQUEST_MAIL, subscriber.pk)
    log.info("subscription request for subscriber %s", subscriber.pk)


def link_token(subscriber: Subscriber) -> str:
    """The token of this subscriber's links, for a mail.

    Should ``SECRET_KEY`` have changed since the row was made, the token it gives now is stored in place
    of the old one: the links of earlier mails then stop working, those of new mails work.
    """
    token = keys.link_token(subscriber.link_nonce)
    token_hash = keys.hash_token(token)
    if token_hash != subscriber.token_hash:
        Subscriber.objects.filter(pk=subscriber.pk).update(token_hash=token_hash)
        subscriber.token_hash = token_hash
    return token


def from_token(token: str) -> Subscriber | None:
    """The subscriber a mailed link names, or None (unknown, unsubscribed, or expired unconfirmed)."""
    if not token or len(token) > 100:
        return None
    # A subscription never confirmed is gone once its week is over, even before the nightly purge.
    waiting_since = timezone.now() - timedelta(days=settings.SUBSCRIPTIONS_CONFIRMATION_DAYS)
    live = Q(confirmed_at__isnull=False) | Q(created__gt=waiting_since)
    return Subscriber.objects.filter(live, token_hash=keys.hash_token(token)).first()


def claim_request_mail(*, subscriber_id: int, send) -> bool:
    """Send the mail a subscription request asks for, unless the address was sent one a moment ago.

    ``send(subscriber)`` sends it. The row is locked and its time written before sending, in one
    transaction with it: a retried task, or a second request within ``SUBSCRIPTIONS_RESEND_MINUTES``,
    sends nothing, and a send that fails rolls the time back, so the retry sends it.
    """
    since = timezone.now() - timedelta(minutes=settings.SUBSCRIPTIONS_RESEND_MINUTES)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or (subscriber.request_mailed_at and subscriber.request_mailed_at > since):
            return False
        Subscriber.objects.filter(pk=subscriber.pk).update(request_mailed_at=timezone.now())
        send(subscriber)
    return True


def confirm(*, subscriber: Subscriber) -> bool:
    """Confirm a subscription from its mailbox's link; return whether it was waiting (False: already done)."""
    updated = Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    subscriber.refresh_from_db(fields=["confirmed_at"])
    if updated:
        log.info("subscriber %s confirmed", subscriber.pk)
    return bool(updated)


def change(*, subscriber: Subscriber, topics: frozenset[str], language: str) -> None:
    """Change what a subscriber is mailed about, and in which language (at least one topic: the form checks)."""
    values = {topic: topic in topics for topic in Topic.values}
    Subscriber.objects.filter(pk=subscriber.pk).update(language=language, **values)
    log.info("subscriber %s changed their choices", subscriber.pk)


def unsubscribe(*, token: str) -> bool:
    """Delete the subscription a link names, address and deliveries included; False if there was none."""
    subscriber = from_token(token)
    if subscriber is None:
        return False
    pk = subscriber.pk
    subscriber.delete()
    log.info("subscriber %s unsubscribed and deleted", pk)
    return True


def purge_unconfirmed(*, older_than: timedelta) -> int:
    """Delete the subscriptions never confirmed within ``older_than`` of their request, addresses included."""
    cutoff = timezone.now() - older_than
    _total, by_model = Subscriber.objects.filter(confirmed_at__isnull=True, created__lt=cutoff).delete()
    return by_model.get(Subscriber._meta.label, 0)


# --- News ----------------------------------------------------------------------------------------


def announce(*, kind: str, object_id: int) -> News | None:
    """Record a piece of news once and queue its mail to the subscribers; None if it was known already."""
    try:
        with transaction.atomic():
            news = News.objects.create(kind=kind, object_id=object_id)
    except IntegrityError:
        return None
    queue.on_commit(queue.QUEUE_NEWS, news.pk)
    log.info("news %s: %s %s", news.pk, kind, object_id)
    return news


def announce_version(*, version_id: int) -> News | None:
    """Announce a published original version (a translation, a draft still unpublished: nothing)."""
    if not Version.objects.published().originals().filter(pk=version_id).exists():
        return None
    return announce(kind=News.Kind.VERSION, object_id=version_id)


def announce_reply(*, comment_id: int) -> News | None:
    """Announce an official reply of the working group that readers can see."""
    if not OrgComment.objects.visible().filter(pk=comment_id, official=True).exists():
        return None
    return announce(kind=News.Kind.REPLY, object_id=comment_id)


def announce_due(*, now=None) -> list[News]:
    """Announce what is due and not announced yet: consultations that closed, and (should their own task
    have been lost, or a version's date been ahead when it was saved) versions and official replies.

    Only news at most ``SUBSCRIPTIONS_NEWS_DAYS`` old: switching the feature on, or coming back after a
    long outage, mails nobody about the past.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = now - timedelta(days=settings.SUBSCRIPTIONS_NEWS_DAYS)
    closed = Document.objects.filter(consultation_closes__lt=today, consultation_closes__gte=timezone.localdate(since))
    due = [(News.Kind.CLOSING, pk) for pk in closed.values_list("pk", flat=True)]
    due += [
        (News.Kind.VERSION, pk)
        for pk in Version.objects.published().originals().filter(published__gte=since).values_list("pk", flat=True)
    ]
    due += [
        (News.Kind.REPLY, pk)
        for pk in OrgComment.objects.visible()
        .filter(official=True, state_changed_at__gte=since)
        .values_list("pk", flat=True)
    ]
    known = set(News.objects.filter(object_id__in={pk for _kind, pk in due}).values_list("kind", "object_id"))
    return [news for kind, pk in due if (kind, pk) not in known if (news := announce(kind=kind, object_id=pk))]


def unqueued_news_ids(*, older_than: timedelta) -> list[int]:
    """News whose recipients' batches were never all queued (a lost message): the hourly check queues them."""
    cutoff = timezone.now() - older_than
    return list(News.objects.filter(queued_at__isnull=True, created__lt=cutoff).values_list("pk", flat=True))


def recipient_batches(*, news_id: int) -> Iterator[list[int]]:
    """The ids of the subscribers a piece of news goes to, not mailed it yet, in batches.

    Subscribers confirmed after the news was recorded are not told of it: they subscribed to what comes next.
    """
    news = News.objects.get(pk=news_id)
    ids = (
        Subscriber.objects.wanting(news.topic)
        .filter(confirmed_at__lte=news.created)
        .exclude(deliveries__news=news)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for batch in batched(ids.iterator(chunk_size=2000), settings.SUBSCRIPTIONS_BATCH_SIZE, strict=False):
        yield list(batch)


def mark_queued(*, news_id: int) -> None:
    News.objects.filter(pk=news_id, queued_at__isnull=True).update(queued_at=timezone.now())


def deliver(*, news_id: int, subscriber_ids: list[int], send) -> int:
    """Mail a piece of news to each of these subscribers who still wants it and was not mailed it yet.

    ``send(news, subscriber)`` sends one mail. Each is sent in the transaction that writes its
    ``Delivery`` row, under the unique constraint: a retried batch (a mail server that failed halfway)
    or two workers at once mail nobody twice, and a send that fails rolls its row back, so the retry
    sends it. Returns how many mails were sent.
    """
    news = News.objects.filter(pk=news_id).first()
    if news is None:
        return 0
    sent = 0
    for subscriber in Subscriber.objects.wanting(news.topic).filter(pk__in=subscriber_ids).order_by("pk"):
        try:
            with transaction.atomic():
                Delivery.objects.create(news=news, subscriber=subscriber)
                send(news, subscriber)
        except IntegrityError:
            continue
        sent += 1
    return sent
