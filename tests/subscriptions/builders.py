"""Subscribers as the pages would leave them, for tests and the page types (tests/page_types.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from campaign.subscriptions import keys
from campaign.subscriptions.models import Subscriber, Topic

ALL_TOPICS = tuple(Topic.values)


def make_subscriber(
    email: str, *, confirmed: bool = True, language: str = "en", topics=ALL_TOPICS, age: timedelta = timedelta(0)
) -> tuple[Subscriber, str]:
    """A subscriber as the pages would leave it, and the token of their links."""
    nonce = keys.new_nonce()
    token = keys.link_token(nonce)
    created = timezone.now() - age
    subscriber = Subscriber.objects.create(
        email=email,
        email_key=keys.subscriber_key(email),
        language=language,
        link_nonce=nonce,
        token_hash=keys.hash_token(token),
        created=created,
        confirmed_at=created if confirmed else None,
        **{topic: topic in topics for topic in Topic.values},
    )
    return subscriber, token
