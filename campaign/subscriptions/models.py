"""Readers subscribed to news by email, the pieces of news, and which subscriber was mailed which piece.

A subscriber's address is kept only to send them mail: no page, admin list, export, log line or task
argument ever holds it (the model is not in the admin). It is found again by a keyed HMAC of the
address (``keys.subscriber_key``), and it is deleted with the row when they unsubscribe, or when the
subscription is not confirmed from the mailbox within ``SUBSCRIPTIONS_CONFIRMATION_DAYS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a subscriber may ask to be told about; each is a boolean column of ``Subscriber``."""

    NEW_VERSIONS = "new_versions", _("A new version of the note is published")
    CLOSING = "closing", _("The consultation closes")
    REPLIES = "replies", _("The working group replies to a comment")


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def wanting(self, topic: str) -> SubscriberQuerySet:
        """Confirmed subscribers who asked for news of ``topic`` (a ``Topic`` value)."""
        return self.confirmed().filter(**{topic: True})


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, editable=False)
    # Keyed HMAC of the normalised address: a second subscription of the same address finds this row.
    email_key = models.CharField(max_length=64, unique=True, editable=False)
    new_versions = models.BooleanField(Topic.NEW_VERSIONS.label, default=True)
    closing = models.BooleanField(Topic.CLOSING.label, default=True)
    replies = models.BooleanField(Topic.REPLIES.label, default=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    # The link mailed to the subscriber carries a token derived from this random value and the site's
    # key (keys.link_token); the row keeps the token's SHA-256 only, to find the subscriber by it.
    link_nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the address was last sent the mail a subscription request sends (throttles requests).
    request_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(new_versions=True) | Q(closing=True) | Q(replies=True), name="subscriber_wants_something"
            )
        ]
        indexes = [models.Index(fields=["confirmed_at", "created"], name="subscriber_confirmed_created")]

    def __str__(self) -> str:
        # Never the address: this is what logs, shells and error pages print.
        return f"subscriber {self.pk}"

    @property
    def topics(self) -> list[str]:
        return [topic for topic in Topic.values if getattr(self, topic)]

    def topic_labels(self) -> list[str]:
        return [str(Topic(topic).label) for topic in self.topics]


class News(models.Model):
    """One piece of news, mailed once to each subscriber who wanted it: unique per kind and object."""

    class Kind(models.TextChoices):
        VERSION = "version", _("New version")
        CLOSING = "closing", _("Consultation closed")
        REPLY = "reply", _("Working group reply")

    # The subscribers' column each kind of news goes to.
    TOPICS = {Kind.VERSION: Topic.NEW_VERSIONS, Kind.CLOSING: Topic.CLOSING, Kind.REPLY: Topic.REPLIES}

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The version's, the document's or the official reply's id.
    object_id = models.PositiveBigIntegerField()
    created = models.DateTimeField(default=timezone.now, editable=False)
    # When every recipient's batch was queued; still empty, the hourly check queues them again.
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "news"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="news_once_per_object")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"

    @property
    def topic(self) -> str:
        return self.TOPICS[self.Kind(self.kind)]


class Delivery(models.Model):
    """One piece of news mailed to one subscriber: written in the transaction that sends it, unique, so a
    retried or redelivered batch mails nobody twice. Deleted with the subscriber."""

    news = models.ForeignKey(News, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["news", "subscriber"], name="delivery_once")]

    def __str__(self) -> str:
        return f"news {self.news_id} to subscriber {self.subscriber_id}"
