"""The Celery app, configured once from Django's settings (the CELERY_ block)."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import task_prerun
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")

app = Celery("campaign")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _prepare(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.task_queues = [Queue(name, routing_key=name) for name in settings.CELERY_TASK_QUEUES_NAMES]
    # The embedded filesystem broker needs its folders before the first message.
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)


@task_prerun.connect
def _fresh_connections(task=None, **kwargs) -> None:
    """Before each task, as Django does before each request: drop a database connection that broke
    or outlived CONN_MAX_AGE (the worker keeps them between tasks: settings.CELERY_DB_REUSE_MAX).

    Not for a task run eagerly, inside the caller's request or transaction.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


app.autodiscover_tasks()
