"""comments.queue: the services name tasks; every name must be a task the worker registers."""

from __future__ import annotations

from celery import current_app

from comments import queue, tasks


def test_every_task_the_services_name_is_registered_under_that_name():
    registered = set(current_app.tasks)
    assert set(queue.NAMES) <= registered
    assert current_app.tasks[queue.SCREEN_COMMENT] is tasks.screen_comment._get_current_object()


def test_the_pending_hook_names_a_registered_task(settings):
    assert settings.COMMENTS_ON_PENDING in current_app.tasks
