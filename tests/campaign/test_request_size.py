"""Request bodies are bounded by what the site's forms need, and a larger one gets a clear 413 page."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import Client

from comments.models import OrgComment
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db

TOO_LARGE = "What you sent is too large"
# More than the longest comment can ever take (240,000 bytes URL-encoded), and more fields than any form has.
OVERSIZED_BYTES = 300_000
TOO_MANY_FIELDS = 400


def test_the_longest_comment_in_the_widest_characters_is_accepted(client, section, django_capture_on_commit_callbacks):
    text = "😀" * settings.COMMENTS_TEXT_MAX_LENGTH  # 4 bytes each in UTF-8, 12 once URL-encoded
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comments/post/", form_data(section, comment=text, email="wide@example.org"))
    assert response.status_code == 302, response.content.decode()[:500]
    assert OrgComment.objects.filter(user_email="wide@example.org").exists()


def refused(response, caplog) -> None:
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()
    assert not [record for record in caplog.records if record.exc_info], "a refused body is not a bug: no traceback"


def test_a_body_larger_than_any_form_is_refused_with_a_page(section, caplog):
    client = Client(raise_request_exception=False)
    body = form_data(section, comment="x" * OVERSIZED_BYTES)
    with caplog.at_level(logging.INFO):
        refused(client.post("/comments/post/", body), caplog)
        french = client.post("/fr/comments/post/", body)
    assert french.status_code == 413
    assert "Ce que vous avez envoyé est trop volumineux" in french.content.decode()
    assert not OrgComment.objects.exists()


def test_a_body_with_more_fields_than_any_form_is_refused_with_a_page(section, caplog):
    client = Client(raise_request_exception=False)
    body = {**form_data(section), **{f"extra{n}": "1" for n in range(TOO_MANY_FIELDS)}}
    with caplog.at_level(logging.INFO):
        refused(client.post("/comments/post/", body), caplog)
