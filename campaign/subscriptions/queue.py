"""The tasks the subscriptions' services and hooks start, by name (as comments/queue.py does for comments).

``campaign.subscriptions.tasks`` registers every name below (a test checks it), and is loaded with the
app, so a web process finds the tasks it queues. Tasks take ids only: never an address or a token.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

SEND_REQUEST_MAIL = "campaign.subscriptions.tasks.send_request_mail"
ANNOUNCE_VERSION = "campaign.subscriptions.tasks.announce_version"
ANNOUNCE_REPLY = "campaign.subscriptions.tasks.announce_reply"
QUEUE_NEWS = "campaign.subscriptions.tasks.queue_news"
SEND_NEWS = "campaign.subscriptions.tasks.send_news"

NAMES = (SEND_REQUEST_MAIL, ANNOUNCE_VERSION, ANNOUNCE_REPLY, QUEUE_NEWS, SEND_NEWS)


def send(name: str, *args: int | list[int]) -> None:
    """Queue the task ``name`` now, with ids (or lists of ids) only."""
    current_app.tasks[name].apply_async(args=args)


def on_commit(name: str, *args: int | list[int]) -> None:
    """Queue the task ``name`` once the current transaction commits (at once outside one).

    Robust: a broker that is down must not undo what was stored; the hourly check queues news again.
    """
    transaction.on_commit(lambda: send(name, *args), robust=True)
