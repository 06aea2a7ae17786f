"""While the database is unreachable every page answers 503 with a plain page, never a stack trace.

The outage is forced at the one place every query goes through (``CursorWrapper.execute``), with
the error psycopg raises when PostgreSQL refuses connections; ``tests/system/test_load.py`` stops
a real PostgreSQL under load.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.db.backends.utils import CursorWrapper
from django.test import Client

REFUSED = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'
SECTION = "/note/guidance-note/sections/introduction/"


@pytest.fixture
def visitor() -> Client:
    """A client that gets the response Django sends for an exception, as a browser would."""
    return Client(raise_request_exception=False)


def database_down(error: Exception | None = None):
    """Make every query fail as it does when PostgreSQL is down (or with ``error``)."""
    return mock.patch.object(CursorWrapper, "execute", side_effect=error or OperationalError(REFUSED))


def assert_plain_503(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response.headers
    page = response.content.decode()
    for leak in ("Traceback", "OperationalError", "psycopg", "5432", "SECRET_KEY", "DATABASES"):
        assert leak not in page
    return page


def test_a_page_answers_503_while_the_database_is_unreachable(visitor, note):
    with database_down():
        response = visitor.get(SECTION)
    page = assert_plain_503(response)
    assert "The site is briefly unavailable" in page
    assert response["Content-Language"] == "en"


def test_a_signed_in_member_gets_the_503_page_too_though_the_session_lives_in_the_database(visitor, note, member):
    # The session is read by the middleware, before any view: its failure must give the same page.
    visitor.force_login(member)
    with database_down():
        response = visitor.get("/about/")
    assert "The site is briefly unavailable" in assert_plain_503(response)


def test_a_comment_sent_during_the_outage_gets_the_503_page(visitor, note):
    section = note.sections.get(key="introduction")
    data = {"content_type": "guidance.section", "object_pk": section.pk, "comment": "We endorse the note."}
    with database_down():
        response = visitor.post("/comments/post/", data)
    assert "send it again in a minute" in assert_plain_503(response)


def test_the_503_page_speaks_the_visitors_language(visitor, note):
    with database_down():
        response = visitor.get(SECTION, headers={"accept-language": "fr"})
    page = assert_plain_503(response)
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in page
    assert "Le site est momentanément indisponible" in page


def test_a_dropped_connection_is_an_outage_too(visitor, note):
    with database_down(InterfaceError("connection already closed")):
        response = visitor.get(SECTION)
    assert_plain_503(response)


def test_an_error_in_a_query_stays_a_500(visitor, note):
    # A bad query is a bug, not an outage: no Retry-After, Django's 500 page.
    with database_down(ProgrammingError('relation "guidance_section" does not exist')):
        response = visitor.get(SECTION)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
