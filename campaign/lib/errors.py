"""Error pages that speak to the visitor, in their language."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
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
    """Explain a refused form instead of showing Django's technical page.

    The refused address may hold a poster's token (an erase, a withdrawal...), and this answer comes
    before the view's own headers: like those pages, it is kept by no cache and named to no site.
    """
    response = render(request, "403_csrf.html", {}, status=403)
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


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


# Django's refusals of a body over the limits in settings.py ("Request size"): "too large", not "bad".
_TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer a refused request (a Host not in ALLOWED_HOSTS, a body over the limits...) with the site's 400 page.

    This is ``handler400``. The page is rendered without the request, as the 503 page is: the
    language links in the layout ask the request for its host, which is the very thing Django may
    have just refused, and a second refusal while rendering would turn the 400 into a 500.
    """
    if isinstance(exception, _TOO_LARGE):
        return _plain_page("413.html", status=413)
    return _plain_page("400.html", status=400)


def _plain_page(template: str, *, status: int) -> HttpResponse:
    response = HttpResponse(loader.render_to_string(template), status=status)
    response["Content-Language"] = translation.get_language()
    return response


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class RefuseControlCharacters:
    """Answer 400 to an address whose path holds a NUL or another control character.

    No page of the site has such an address; passed on, a NUL reaches PostgreSQL in a lookup
    (a section's key, a slug), which refuses it with an exception, and the visitor gets a 500.
    The query string is left to the forms that read it, which refuse a NUL with a message
    (Django's ProhibitNullCharactersValidator) and keep what the visitor typed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _CONTROL_CHARACTER.search(request.path):
            return _plain_page("400.html", status=400)
        return self.get_response(request)


class WithoutTraceback(logging.Filter):
    """Keep a refused request's log line, drop its traceback: a bad Host or body is the client's fault, not a bug."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
