"""The Celery app: safe serialisation, late acknowledgement, queues, routes, beat and broker."""

from __future__ import annotations

import importlib
import json

import pytest
from django.conf import settings

from campaign.celery import app
from tests.campaign.test_settings import PRODUCTION_ENV, clean_environ, run_python

QUEUES = {"default", "screening", "mail", "training"}


def route(task_name: str) -> str:
    """The queue a task of this name is sent to."""
    return app.amqp.router.route({}, task_name, (), {})["queue"].name


def test_only_json_is_sent_or_accepted():
    # pickle would let anyone who can write to the broker run code on the workers.
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_a_task_outlives_a_killed_worker():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits():
    assert app.conf.task_soft_time_limit and app.conf.task_time_limit
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_the_named_queues_are_declared():
    assert {queue.name for queue in app.conf.task_queues} == QUEUES
    assert app.conf.task_default_queue == "default"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("comments.tasks.screen_comment", "screening"),
        ("comments.tasks.sweep_pending", "screening"),
        ("comments.tasks.send_confirmation", "mail"),
        ("comments.tasks.train_classifier", "training"),
        ("campaign.subscriptions.tasks.send_news", "mail"),
        ("campaign.subscriptions.tasks.send_request_mail", "mail"),
        ("campaign.subscriptions.tasks.queue_news", "default"),
        ("campaign.tasks.anything_else", "default"),
    ],
)
def test_tasks_are_routed_by_name(task_name, queue):
    assert route(task_name) == queue


def test_every_route_leads_to_a_declared_queue():
    for pattern, options in settings.CELERY_TASK_ROUTES.items():
        assert options["queue"] in QUEUES, pattern


def test_the_beat_schedule_sweeps_pending_comments_and_purges_addresses():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "comments.tasks.purge_personal_data" in tasks
    assert "comments.tasks.clear_sessions" in tasks
    # A lost message or a restarted broker must only delay a comment: a periodic sweep
    # re-enqueues comments left pending (DESIGN.md, "Background work").
    assert any(".sweep" in task for task in tasks), tasks


def test_every_scheduled_task_exists_and_goes_to_a_declared_queue():
    for name, entry in app.conf.beat_schedule.items():
        importlib.import_module(entry["task"].rpartition(".")[0])  # what autodiscovery does in a worker
        assert entry["task"] in app.tasks, f"beat entry {name!r} names an unknown task {entry['task']!r}"
        assert route(entry["task"]) in QUEUES


# Prints the broker and its options as the worker would see them, from a fresh process.
SHOW_BROKER = """
import json, django
django.setup()
from campaign.celery import app
print(json.dumps({"broker": app.conf.broker_url, "options": app.conf.broker_transport_options,
                  "queues": sorted(q.name for q in app.conf.task_queues)}))
"""


def _broker(**variables: str) -> dict:
    result = run_python(SHOW_BROKER, clean_environ(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_redis_url_the_broker_is_redis():
    shown = _broker(**PRODUCTION_ENV)
    assert shown["broker"] == PRODUCTION_ENV["REDIS_URL"]
    # A task unacknowledged for longer than this is handed to another worker: it must exceed
    # the hard time limit, or a slow task would run twice.
    assert shown["options"]["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT
    assert set(shown["queues"]) == QUEUES


def test_without_redis_url_the_broker_is_a_local_folder():
    shown = _broker()
    assert shown["broker"] == "filesystem://"
    assert shown["options"]["data_folder_in"] == shown["options"]["data_folder_out"]
    assert set(shown["queues"]) == QUEUES
