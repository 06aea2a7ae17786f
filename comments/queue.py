"""What the services ask the workers to do, by task name: the one way a write starts background work.

The services that write a comment's state must start tasks (screen it, mail its poster, retrain the
classifier), and the tasks call those services: to keep the imports one-way, the services name a task
here instead of importing it, as a message on a broker names it anyway. ``comments.tasks`` registers
every name below (a test checks each one), and its module is loaded with the app (``CommentsConfig``),
so a web process finds the tasks it queues, eager mode included.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

SEND_CONFIRMATION = "comments.tasks.send_confirmation"
NOTIFY_FOLLOWERS = "comments.tasks.notify_followers"
SCREEN_COMMENT = "comments.tasks.screen_comment"
TRAIN_CLASSIFIER = "comments.tasks.train_classifier"
SEND_DECISION_NOTICE = "comments.tasks.send_decision_notice"
SCREEN_CORRECTION = "comments.tasks.screen_correction"
SEND_PRIVATE_MESSAGE = "comments.tasks.send_private_message"
SEND_AMENDMENT_ANSWER = "comments.tasks.send_amendment_answer"

NAMES = (
    SEND_CONFIRMATION,
    NOTIFY_FOLLOWERS,
    SCREEN_COMMENT,
    TRAIN_CLASSIFIER,
    SEND_DECISION_NOTICE,
    SCREEN_CORRECTION,
    SEND_PRIVATE_MESSAGE,
    SEND_AMENDMENT_ANSWER,
)


def send(name: str, *ids: int, countdown: float | None = None) -> None:
    """Queue the task ``name`` with ids only (never an email, an address or a token) now."""
    current_app.tasks[name].apply_async(args=ids, countdown=countdown)


def on_commit(name: str, *ids: int, countdown: float | None = None) -> None:
    """Queue the task ``name`` once the current transaction commits (at once outside one).

    Robust: a broker that is down must not undo what was stored; the sweep queues it again later.
    """
    transaction.on_commit(lambda: send(name, *ids, countdown=countdown), robust=True)
