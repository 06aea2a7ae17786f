"""Celery tasks of the subscriptions: thin, ids only, idempotent, retried with backoff.

No task takes an address or a token as an argument: each loads what it needs by id. A piece of news
goes out in two steps: ``queue_news`` lists its recipients and queues one ``send_news`` per batch of
``SUBSCRIPTIONS_BATCH_SIZE`` subscriber ids; each batch mails each subscriber once (``services.deliver``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from campaign.subscriptions import mail, queue, services

log = logging.getLogger(__name__)

# Retry on network errors (mail, broker) and on a database that is briefly unavailable or locked.
RETRY = {"autoretry_for": (OSError, OperationalError), "retry_backoff": 5, "retry_backoff_max": 600, "max_retries": 8}


@shared_task(name=queue.SEND_REQUEST_MAIL, **RETRY)
def send_request_mail(subscriber_id: int) -> bool:
    """Mail the confirmation link (or, to a confirmed address, the link to manage it), unless just sent."""
    return services.claim_request_mail(subscriber_id=subscriber_id, send=mail.send_request_mail)


@shared_task(name=queue.ANNOUNCE_VERSION, **RETRY)
def announce_version(version_id: int) -> int | None:
    """A version was saved: announce it once if it is a published original."""
    news = services.announce_version(version_id=version_id)
    return news.pk if news else None


@shared_task(name=queue.ANNOUNCE_REPLY, **RETRY)
def announce_reply(comment_id: int) -> int | None:
    """An official reply of the working group was published (``COMMENTS_ON_OFFICIAL_REPLY``): announce it once."""
    news = services.announce_reply(comment_id=comment_id)
    return news.pk if news else None


@shared_task(name="campaign.subscriptions.tasks.announce_due", **RETRY)
def announce_due() -> int:
    """Hourly: announce the consultations that closed, and any version or reply whose own task was lost;
    queue again the news whose batches were never all queued."""
    announced = services.announce_due()
    stalled = services.unqueued_news_ids(older_than=timedelta(minutes=30))
    for news_id in stalled:
        queue_news.delay(news_id)
    if announced or stalled:
        log.info("announced %d pieces of news, queued %d again", len(announced), len(stalled))
    return len(announced)


@shared_task(name=queue.QUEUE_NEWS, **RETRY)
def queue_news(news_id: int) -> int:
    """Queue one ``send_news`` task per batch of the subscribers this news goes to; return how many batches.

    Run again (a retry, the hourly check), it queues only the subscribers not mailed yet, and a batch
    queued twice still mails each of them once.
    """
    batches = 0
    for subscriber_ids in services.recipient_batches(news_id=news_id):
        queue.send(queue.SEND_NEWS, news_id, subscriber_ids)
        batches += 1
    services.mark_queued(news_id=news_id)
    log.info("news %s: %d batches queued", news_id, batches)
    return batches


@shared_task(name=queue.SEND_NEWS, **RETRY)
def send_news(news_id: int, subscriber_ids: list[int]) -> int:
    """Mail a piece of news to a batch of subscribers, each once; return how many mails were sent."""
    about = mail.about(news_id)
    if about is None:
        log.info("news %s: nothing to tell any more", news_id)
        return 0
    return services.deliver(
        news_id=news_id, subscriber_ids=subscriber_ids, send=lambda _news, subscriber: mail.send_news(about, subscriber)
    )


@shared_task(name="campaign.subscriptions.tasks.purge_unconfirmed")
def purge_unconfirmed() -> int:
    """Nightly: delete the subscriptions not confirmed in time, addresses included."""
    count = services.purge_unconfirmed(older_than=timedelta(days=settings.SUBSCRIPTIONS_CONFIRMATION_DAYS))
    log.info("purged %d unconfirmed subscriptions", count)
    return count
