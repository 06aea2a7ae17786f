"""Helpers for the system tests: publish from this process to a test broker, post comments, sweep."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
from django.db import transaction

from campaign.celery import app as celery_app
from comments import services
from comments.models import Kind


@contextmanager
def producing_to(broker_url: str) -> Iterator[None]:
    """Point this process's Celery app (which on_commit hooks publish through) at ``broker_url``.

    Settings were loaded before the test started, so the app's connection and producer pools
    are dropped and rebuilt from the new URL; the old URL comes back afterwards.
    """
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}
    conf.broker_url = broker_url
    conf.task_always_eager = False
    reset_producer()
    try:
        yield
    finally:
        reset_producer()
        for key, value in saved.items():
            conf[key] = value


def reset_producer() -> None:
    """Close every pooled broker connection of this process; the next publish opens a fresh one.

    kombu keeps its pools in a process-wide registry keyed by URL, so a closed pool must also be
    forgotten there (``kombu.pools.reset``, what Celery does after a fork), not only by the app.
    """
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


WORDS = [
    *("decriminalisation", "community", "services", "outreach", "clinics", "peer", "educators", "housing"),
    *("rights", "police", "violence", "stigma", "testing", "treatment", "prevention", "funding", "networks"),
    *("consent", "safety", "migrants", "health", "justice", "law"),
]


def comment_text(tag: str, number: int) -> str:
    """A distinct, ordinary text for each comment (no links, no listed keywords)."""
    words = [WORDS[(number * 7 + step * (number % 5 + 1)) % len(WORDS)] for step in range(12)]
    return f"Statement {tag}-{number}: our organisation asks about {' '.join(words)}."


def post_comments(target, posters, count: int, *, tag: str) -> list[int]:
    """Post ``count`` comments as the app does: ``comment_submit`` by a signed-in user, committed, so
    ``transaction.on_commit`` hands each one to ``after_pending`` and its screening task to the broker."""
    ids = []
    for number in range(count):
        user = posters[number % len(posters)]
        with transaction.atomic():
            comment = services.comment_submit(
                submission=services.Submission(
                    target=target,
                    text=comment_text(tag, number),
                    kind=Kind.COMMENT,
                    email=user.email,
                    signature=services.Signature(name=user.username, organisation_name="Collective", country="KE"),
                    language="en",
                    form_seconds=45,
                ),
                user=user,
            )
        ids.append(comment.pk)
    return ids


class Sweeper:
    """Stands in for celery beat: sends ``sweep_pending`` to the worker every ``every`` seconds.

    Beat's schedule is every 2 minutes; sending the same task more often only makes the test shorter.
    The worker runs it with COMMENTS_SWEEP_AFTER_MINUTES=1, so it re-enqueues comments pending over a minute.
    """

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.last = 0.0
        self.sent = 0

    def tick(self) -> None:
        if time.monotonic() - self.last >= self.every:
            from comments import tasks

            tasks.sweep_pending.delay()
            self.sent += 1
            self.last = time.monotonic()
