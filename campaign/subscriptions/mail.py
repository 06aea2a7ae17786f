"""The subscribers' mail: plain text, in the subscriber's language, each with a one-click unsubscribe.

Every mail carries ``List-Unsubscribe`` (the subscriber's unsubscribe address) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058): a mail reader that offers
"Unsubscribe" posts that body to the address, and the subscription is deleted at once. The body ends
with the same address and the link to change what one receives. Called from Celery tasks only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from campaign.subscriptions import services
from campaign.subscriptions.models import News, Subscriber
from comments.mail import TextMail, quote
from comments.models import OrgComment
from guidance.models import Document, Version


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _send(subscriber: Subscriber, template: str, context: Callable[[], dict] = dict) -> None:
    """Render ``subscriptions/email/<template>`` in the subscriber's language and send it with its unsubscribe headers.

    ``context`` is called with that language active, so the links it reverses carry its prefix.
    """
    token = services.link_token(subscriber)
    language = subscriber.language if subscriber.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        unsubscribe_url = _absolute(reverse("subscriptions:unsubscribe", args=[token]))
        values = {
            **context(),
            "subscriber": subscriber,
            "topics": subscriber.topic_labels(),
            "confirm_url": _absolute(reverse("subscriptions:confirm", args=[token])),
            "manage_url": _absolute(reverse("subscriptions:manage", args=[token])),
            "unsubscribe_url": unsubscribe_url,
            "days": settings.SUBSCRIPTIONS_CONFIRMATION_DAYS,
        }
        subject = render_to_string(f"subscriptions/email/{template}_subject.txt", values)
        body = render_to_string(f"subscriptions/email/{template}.txt", values)
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    TextMail(subject=" ".join(subject.split()), body=body, to=[subscriber.email], headers=headers).send()


def send_request_mail(subscriber: Subscriber) -> None:
    """Answer a subscription request: the confirmation link, or, for a confirmed address, the link to manage it.

    The mail holds nothing that the person who typed the address chose, beyond the topics (waiting
    subscription only): a stranger cannot make the site deliver their words to someone else's mailbox.
    """
    _send(subscriber, "confirm" if subscriber.confirmed_at is None else "already")


@dataclass(frozen=True)
class About:
    """What a piece of news is about, loaded once for a whole batch of its mails."""

    news: News
    obj: object  # a Version, a Document or an OrgComment


def about(news_id: int) -> About | None:
    """Load what a piece of news tells of; None when it is gone or hidden since (nothing is then mailed)."""
    news = News.objects.filter(pk=news_id).first()
    if news is None:
        return None
    if news.kind == News.Kind.VERSION:
        obj = Version.objects.published().select_related("document").filter(pk=news.object_id).first()
    elif news.kind == News.Kind.CLOSING:
        obj = Document.objects.filter(pk=news.object_id).first()
    else:
        obj = OrgComment.objects.visible().filter(pk=news.object_id, official=True).first()
    return About(news, obj) if obj is not None else None


def _version_context(version: Version) -> dict:
    # The version in the subscriber's language when a translation of it is published; else the original.
    shown = version.translations.published().filter(language=translation.get_language()).first() or version
    return {
        "document": version.document,
        "version": shown,
        "changelog": quote(shown.changelog, limit=1500) if shown.changelog.strip() else "",
        "url": _absolute(shown.get_absolute_url()),
    }


def _closing_context(document: Document) -> dict:
    return {"document": document, "closes": document.consultation_closes, "url": _absolute(document.get_absolute_url())}


def _reply_context(reply: OrgComment) -> dict:
    target = reply.content_object
    return {
        "title": target.comment_title() if target is not None else "",
        "quoted": quote(reply.comment, limit=1500),
        "url": _absolute(reply.get_absolute_url()),
    }


CONTEXTS = {News.Kind.VERSION: _version_context, News.Kind.CLOSING: _closing_context, News.Kind.REPLY: _reply_context}


def send_news(about: About, subscriber: Subscriber) -> None:
    """Mail one piece of news to one subscriber, its links in their language."""
    kind = News.Kind(about.news.kind)
    _send(subscriber, kind.value, lambda: CONTEXTS[kind](about.obj))
