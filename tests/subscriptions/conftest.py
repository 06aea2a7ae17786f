"""Subscribing through the real pages, and subscribers made directly for the tests of news."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from campaign.celery import app as celery_app
from tests.subscriptions.builders import ALL_TOPICS

LINK = re.compile(r"https?://[^/\s]+((?:/[a-z]{2})?/subscriptions/(confirm|manage|unsubscribe)/([^/\s]+)/)")


@pytest.fixture(autouse=True)
def eager_celery():
    """Run tasks in-process here; the system tests start a real worker instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """Send the subscription form as a browser would, run what it queues, and return the answer."""

    def _subscribe(email="reader@example.org", topics=ALL_TOPICS, *, prefix="", website="", follow=False):
        data = {"email": email, "topics": list(topics), "website": website}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"{prefix}/subscriptions/", data, follow=follow)

    return _subscribe


def links(message) -> dict[str, str]:
    """The subscriber's links in a mail's body, by kind: {"confirm": path, "manage": path, ...}."""
    return {kind: path for path, kind, _token in LINK.findall(message.body)}


def token_of(message) -> str:
    found = {token for _path, _kind, token in LINK.findall(message.body)}
    assert len(found) == 1, message.body
    return found.pop()


def outbox_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]
