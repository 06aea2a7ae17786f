"""Fixtures of the page checks: every page type (tests/page_types.py) and a client for each persona."""

from __future__ import annotations

import uuid

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.page_types import ANONYMOUS, COORDINATOR, MEMBER, STRANGER, PageType, build


@pytest.fixture
def page_types(settings, note, coordinator, member, stranger) -> list[PageType]:
    # A cache namespace of this test's own: pages cached by other tests are not served here.
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"a11y-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}
    return build(note)


@pytest.fixture
def fetch(coordinator, member, stranger):
    """Return ``fetch(page_type) -> (status, html)``, as the page type's persona sees it."""
    users = {COORDINATOR: coordinator, MEMBER: member, STRANGER: stranger}

    def _fetch(page: PageType) -> tuple[int, str]:
        if page.template:
            return page.status, render_to_string(page.template)
        client = Client(enforce_csrf_checks=bool(page.submit and not page.submit.csrf))
        if page.who != ANONYMOUS:
            client.force_login(users[page.who])
        if page.submit:
            response = client.post(page.submit.action, page.submit.data, follow=True)
        else:
            response = client.get(page.path)
        return response.status_code, response.content.decode()

    return _fetch
