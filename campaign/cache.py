"""The page cache of public pages: one decorator, ``public_page``, and one invalidation, ``bump_generation``.

What is cached
    The whole response of a public GET page (home, about, organisations, endorsers, the note's
    document, version, print, section and comparison pages, the feeds), in the configured cache
    (Redis in production and CI, local memory embedded), for ``PAGE_CACHE_SECONDS``. The key is
    the scheme, host, path and query string, the language the page is rendered in
    (``translation.get_language()``), and a global *generation* number.

Invalidation: one generation for the whole site
    ``bump_generation()`` increments the generation; every cached page then misses once and is
    rendered again. ``comments.services.invalidate_target`` calls it on commit after every change
    of a comment's state (each moderation decision, screening decision and withdrawal), and
    ``guidance.importer.import_markdown`` after every new version. A reader therefore sees a
    decision as soon as it is committed (plus the few seconds a browser or proxy may keep a copy,
    ``PAGE_CACHE_MAX_AGE``). Dropping everything is deliberately simple: there is nothing to
    work out about which pages show a comment (section, document, counts on the home page and the
    table of contents, the endorsers, the feeds), and moderation decisions come a few a minute,
    while readers come hundreds a second. Changes made outside these services (a coordinator
    editing a record in the admin, a version whose publication date arrives) show once the
    cached copy expires, after ``PAGE_CACHE_SECONDS`` at most.

    The generation lives in the cache itself. When that cache is local memory (the embedded
    default), each process has its own memory, and a decision taken by the Celery worker would
    not reach the web processes: then the generation lives in a small file under ``var/``
    instead, which every process on the machine reads (pages stay in each process's memory).

Who is served from the cache
    Only anonymous readers: GET or HEAD requests that carry neither a session cookie nor a
    messages cookie. Everybody else (a signed-in member, a coordinator, a poster who was just
    redirected to the page with "Thank you, your comment awaits moderation") gets the page
    rendered for them, marked ``Cache-Control: private, no-cache``. A response is stored only if it
    is a 200, sets no cookie, adds no message and does not modify the session. Coordinators'
    pages (``/desk/``, ``/admin/``) are never decorated: they are never cached here, and they send
    Django's ``never_cache`` headers.

    While a database transaction is open (``ATOMIC_REQUESTS`` is off, so only tests and code that
    wraps a view in one do this), the cache is bypassed both ways: a page rendered from rows that
    may still roll back must not be shared, and a stored page could contradict what the
    transaction already wrote. The headers are the same as with the cache.

CSRF tokens in cached pages
    Every page has forms with a CSRF token (the language switch, and the comment form on sections
    and the document). A cached copy must not hand one visitor's token to the next, so the stored
    copy has a placeholder where the token was, and each response gets a token of its own
    visitor's CSRF secret (``django.middleware.csrf.get_token``), set in the cookie by Django's
    CSRF middleware when the visitor has none yet. So the language switch and every other form
    keep Django's CSRF protection on cached pages. Posting a comment is additionally exempt from
    the CSRF check for anonymous posters (``comments.views.post``): their post is protected by
    the form's signed security hash and the email confirmation, and so it works even from a copy
    a proxy kept.

    The comment form also carries a signed timestamp (django-comments), here the time the cached
    copy was rendered, not the time the reader opened the page: with ``PAGE_CACHE_SECONDS`` short
    this only makes the screening's "sent too fast after opening the form" check see up to that
    many seconds more, and a form never expires early because of it.

HTTP caching
    Every response of a decorated view has an ``ETag`` (a hash of the stored body; for pages with
    a CSRF token also of the visitor's CSRF secret, so that a browser's copy is only revalidated
    while its token still works) and answers ``If-None-Match`` with 304, from the cache too.
    ``Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`` for the responses the cache serves;
    ``private, max-age=...`` for the first response to a visitor without a CSRF cookie (it sets
    one, so no shared cache may keep it); ``private, no-cache`` for everything else.
    ``Vary: Accept-Language, Cookie`` always.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
#: Marks a view wrapped by ``public_page`` (tests check that no coordinator's page is).
MARKER = "public_page"
#: The header that says what the page cache did: hit, miss, bypass (not used) or private.
STATE_HEADER = "X-Page-Cache"
_ENTRY_VERSION = 1

# What Django's {% csrf_token %} writes, and what the stored copy has instead of the token.
_TOKEN_RE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_TOKEN_PREFIX = b'name="csrfmiddlewaretoken" value="'
_PLACEHOLDER = _TOKEN_PREFIX + b'@@csrf-token@@"'
# Headers the cache keeps from the view's response; the rest is made again on each response.
_DROPPED_HEADERS = {"set-cookie", "vary", "cache-control", "etag", "last-modified", "expires", "content-length"}
_SAFE_METHODS = ("GET", "HEAD")


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _per_process(backend) -> bool:
    return isinstance(backend, LocMemCache)


def _generation_file() -> Path:
    return Path(settings.PAGE_CACHE_GENERATION_FILE)


def _fresh_generation() -> int:
    # A new counter starts from the clock, so it is higher than any earlier one even when the
    # stored number was lost (Redis restarted, key evicted) while pages of it were still cached.
    return time.time_ns() // 1000


def current_generation() -> str:
    """Return the generation cached pages are filed under (it changes on every invalidation)."""
    backend = _cache()
    if _per_process(backend):
        try:
            return _generation_file().read_text() or "0"
        except FileNotFoundError:
            return "0"
    value = backend.get(GENERATION_KEY)
    if value is None:
        backend.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        value = backend.get(GENERATION_KEY)
    return str(value)


def bump_generation() -> None:
    """Make every cached page miss once: called on commit after every decision, withdrawal and new version.

    Never raises: a cache that cannot be reached only means pages are rendered for every reader.
    """
    backend = _cache()
    try:
        if _per_process(backend):
            path = _generation_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            temporary.write_text(str(_fresh_generation()))
            os.replace(temporary, path)  # readers see the old or the new number, never half of one
            return
        try:
            backend.incr(GENERATION_KEY)
        except ValueError:  # no generation stored yet (or lost): start a new, higher one
            if not backend.add(GENERATION_KEY, _fresh_generation(), timeout=None):
                backend.incr(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - the decision is committed; the page cache must not undo it
        log.warning("could not bump the page cache generation; cached pages expire by themselves", exc_info=True)


def page_key(request: HttpRequest, generation: str) -> str:
    """Return the cache key of a request's page: scheme, host, path, query, language and generation."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{translation.get_language()}:{digest}"


def _enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_ENABLED", True)


def _anonymous_request(request: HttpRequest) -> bool:
    """True for a GET or HEAD without a session or messages cookie: nothing in it can be personal."""
    cookies = request.COOKIES
    # An emptied cookie (what deleting one sends back until the client drops it) carries nothing.
    return (
        request.method in _SAFE_METHODS
        and not cookies.get(settings.SESSION_COOKIE_NAME)
        and not cookies.get(CookieStorage.cookie_name)
    )


def _in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if any(word in response.get("Cache-Control", "") for word in ("private", "no-store", "no-cache")):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    return not (hasattr(request, "_messages") and len(get_messages(request)))


def _entry(response: HttpResponse) -> tuple:
    """What the cache keeps of a response: its body with a placeholder for CSRF tokens, headers, a hash."""
    body, tokens = _TOKEN_RE.subn(_PLACEHOLDER, response.content)
    headers = tuple((name, value) for name, value in response.items() if name.lower() not in _DROPPED_HEADERS)
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    return (_ENTRY_VERSION, body, headers, digest, bool(tokens))


def _etag(request: HttpRequest, digest: str, has_token: bool) -> str:
    if not has_token:
        return f'W/"{digest}"'
    secret = request.META.get("CSRF_COOKIE", "")
    return f'W/"{digest}-{salted_hmac("campaign.cache.etag", secret).hexdigest()[:10]}"'


def _had_csrf_secret(request: HttpRequest) -> bool:
    """True when the visitor sent a valid CSRF cookie (checked before the view may create a secret)."""
    return "CSRF_COOKIE" in request.META and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _respond(request: HttpRequest, entry: tuple, state: str, *, had_secret: bool) -> HttpResponseBase:
    """Make this visitor's response from a stored page: their CSRF token, ETag, 304 and cache headers."""
    _version, body, headers, digest, has_token = entry
    sets_cookie = has_token and not had_secret
    if sets_cookie:
        get_token(request)  # a new secret, which the CSRF middleware sends in a cookie
    etag = _etag(request, digest, has_token)
    if not sets_cookie and etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        if has_token:
            body = body.replace(_PLACEHOLDER, _TOKEN_PREFIX + get_token(request).encode() + b'"')
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
    if had_secret:
        # The visitor already holds this secret: the cookie need not be sent again.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    response["ETag"] = etag
    max_age = settings.PAGE_CACHE_MAX_AGE
    if sets_cookie:
        patch_cache_control(response, private=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response[STATE_HEADER] = state
    return response


def _private(response: HttpResponseBase, state: str) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response[STATE_HEADER] = state
    return response


def public_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve a public page from the page cache to anonymous readers; see this module's docstring."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not _anonymous_request(request):
            return _private(view(request, *args, **kwargs), "private")
        had_secret = _had_csrf_secret(request)
        use_cache = _enabled() and not _in_transaction()
        key = None
        if use_cache:
            try:
                key = page_key(request, current_generation())
                entry = _cache().get(key)
            except Exception:  # noqa: BLE001 - a cache that is down must not take the site with it
                log.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
                key, entry = None, None
            if entry is not None and entry[0] == _ENTRY_VERSION:
                return _respond(request, entry, "hit", had_secret=had_secret)
        response = view(request, *args, **kwargs)
        if not _storable(request, response):
            return _private(response, "private")
        entry = _entry(response)
        if key is not None:
            try:
                _cache().set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:  # noqa: BLE001
                log.warning("could not store %s in the page cache", request.path, exc_info=True)
        return _respond(request, entry, "miss" if key is not None else "bypass", had_secret=had_secret)

    setattr(wrapper, MARKER, True)
    return wrapper
