"""Error pages that speak to the visitor, in their language."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

# What an unreachable or restarting database raises (psycopg's errors, wrapped by Django): a
# refused or dropped connection, a server shutting down, a deadlock. Other database errors
# (a bad query, a broken constraint) are bugs, and stay 500s.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# When to try again, in seconds: a restart or a fail-over of PostgreSQL takes about this long.
RETRY_AFTER = 30


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form instead of showing Django's technical page."""
    return render(request, "403_csrf.html", {}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled exception: 503 while the database is unreachable, Django's 500 page otherwise.

    This is ``handler500``, which Django calls for an exception raised anywhere in the middleware
    or the view (each middleware's exceptions are turned into a response where they happen, so a
    middleware could not catch those of sessions or authentication); the exception being handled
    is still ``sys.exc_info()``.
    """
    if _database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)


def _database_unavailable(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """A plain 503 page, in the visitor's language, that needs neither the database nor the session.

    It is rendered without the request, so no context processor runs (``auth`` would look the
    visitor's session up in the very database that is down); the language comes from the cookie
    or the Accept-Language header, as the locale middleware reads them.
    """
    language = translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.render_to_string("503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Content-Language"] = language
    add_never_cache_headers(response)  # nobody may keep the outage page once the site is back
    return response
