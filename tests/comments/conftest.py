"""Helpers to post through the real form, as a browser would."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from campaign.celery import app as celery_app
from comments.forms import OrgCommentForm
from comments.models import OrgComment


@pytest.fixture(autouse=True)
def eager_celery():
    """Run tasks in-process here; the system tests start a real worker instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


def form_data(target, **overrides) -> dict:
    form = OrgCommentForm(target)
    data = {
        **form.initial,
        **form.generate_security_data(),
        "kind": "endorse",
        "comment": "We endorse this section.\n\n1. Decriminalise sex work.\n2. Fund community-led services.",
        "name": "Amina",
        "organisation_name": "Sisters Alliance",
        "city": "Nairobi",
        "country": "KE",
        "on_behalf_of": "",
        "language": "en",
        "display": "name_org",
        "email": "amina@example.org",
        "honeypot": "",
        "reply_to": "0",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post a comment through the real view and run what it queues on commit."""

    def _post(target, follow=False, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/comments/post/", form_data(target, **overrides), follow=follow)

    return _post


def confirmation_token(message) -> str:
    match = re.search(r"/comments/confirm/([\w-]+)/", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    def _confirm(message=None):
        message = message or mail.outbox[-1]
        token = confirmation_token(message)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/comments/confirm/{token}/")

    return _confirm


@pytest.fixture
def approve(coordinator, django_capture_on_commit_callbacks):
    from comments import services

    def _approve(comment: OrgComment):
        with django_capture_on_commit_callbacks(execute=True):
            return services.comment_approve(comment=comment, by=coordinator, reason="test")

    return _approve
