"""The page cache of public pages: the decorator ``public_page``, the middleware that stores and serves
them, and one invalidation, ``bump_generation``.

Django's own cache middleware lacks two things this site needs, and this module adds only those:
one *generation* number for the whole site, which every decision bumps, and a copy in each process
of the pages it served last. Everything else is Django's: ``ConditionalGetMiddleware`` answers
``If-None-Match`` with 304 (from the ETag stored with the page), ``GZipMiddleware`` compresses what
is not served from here, and the CSRF, session and messages middleware mark what is personal.

What is cached
    The whole response of a public GET page (home, about, organisations, endorsers, the note's
    document, version, print, section and comparison pages, the search page, the feeds), in the
    cache named by ``PAGE_CACHE_ALIAS`` (Redis in production and CI, local memory embedded), for
    ``PAGE_CACHE_SECONDS``. The key is the scheme, host, path and query string, and the generation
    (the path says the language: campaign/lib/i18n.py). Each process also keeps the pages it served
    last (``PAGE_CACHE_LOCAL_BYTES``), so a hit usually costs no round trip.

What an anonymous visitor can make it store
    Only pages whose query string is made of the parameters the public pages read
    (``QUERY_PARAMETERS``), each once and with a value of the expected form. Any other query string
    (an unknown parameter, a repeated one, a value no page accepts) still gets its page, rendered and
    marked private, but stores nothing: a visitor cannot fill the cache with copies of one page
    under endless addresses. A page that reads parameters of its own names them, with their form,
    to the decorator (``public_page(parameters=...)``: the search page's words, ``q``); they are
    stored for that page only, so ``?q=...`` on any other page still stores nothing.

Invalidation: one generation for the whole site
    ``bump_generation()`` increments the generation; every cached page then misses once and is
    rendered again. ``comments.services.invalidate_target`` calls it on commit after every change
    of a comment's state that shows or hides it, or changes a comment that was shown (approvals,
    rejections, withdrawals...; not a screening that keeps a comment hidden, which no public page
    reflects), and ``guidance.importer.import_markdown`` after every new version. Dropping everything is
    deliberately simple: there is nothing to work out about which pages show a comment (its
    page, the document's counts, the home page's table of contents, the endorsers, the feeds),
    and decisions come a few a minute while readers come hundreds a second; the price is that a
    bump makes every page miss once, which is acceptable.

    A reader sees a decision on their next request: at once in the process that took it, within
    ``PAGE_CACHE_GENERATION_SECONDS`` (1 s) in the others, which trust their copy of the number
    that long; plus the ``PAGE_CACHE_MAX_AGE`` seconds a browser or a proxy may keep a page.
    An edit in the admin of what readers see (the note, organisations) bumps it too
    (``campaign.lib.admin_cache``). Other changes (a version whose publication date arrives, a row
    changed in a shell) show once the cached copy expires, after ``PAGE_CACHE_SECONDS``.

    The generation lives in the cache itself. When that cache is local memory (the embedded
    default), each process has its own memory, and a decision taken by the Celery worker would
    not reach the web processes: then the generation lives in a small file under ``var/``
    instead, which every process on the machine reads (and trusts as long).

Who is served from the cache
    Only anonymous readers: GET or HEAD requests that carry neither a session cookie nor a
    messages cookie. Everybody else (a signed-in member, a coordinator, a poster who was just
    redirected to the page with "Thank you, your comment awaits moderation") gets the page
    rendered for them, marked ``Cache-Control: private, no-cache``. A response is stored only if it
    is a 200, sets no cookie, adds no message, does not modify the session and did not use its
    Content-Security-Policy nonce (a replayed nonce would be stale). A page that holds a CSRF token
    sets the CSRF cookie, so it is never stored either: no public page holds one for an anonymous
    reader (the comment form has one only for signed-in members; anonymous posts are protected by
    the form's signed security hash and the email confirmation, see ``comments.views.post``).
    Coordinators' pages (``/desk/``, ``/admin/``) are never decorated: they are never cached here,
    and they send Django's ``never_cache`` headers.

    While a database transaction is open (``ATOMIC_REQUESTS`` is off, so only tests and code that
    wraps a view in one do this), the cache is bypassed both ways: a page rendered from rows that
    may still roll back must not be shared, and a stored page could contradict what the
    transaction already wrote. The headers are the same as with the cache.

    The comment form carries a signed timestamp (django-comments), here the time the cached copy
    was rendered, not the time the reader opened the page: with ``PAGE_CACHE_SECONDS`` short this
    only makes the screening's "sent too fast after opening the form" check see up to that many
    seconds more, and a form never expires early because of it.

Serving hits early
    ``PageCacheMiddleware`` (after whitenoise, GZip and ConditionalGet in ``MIDDLEWARE``) answers a
    hit before the sessions, locale, CSRF, authentication and messages middleware and the URL
    routing run. On a miss it stores the response of a decorated view as the whole stack gave it
    (Content-Type, Content-Language...), so a hit replays those headers. Without the middleware,
    nothing is cached.

Compression and HTTP caching
    Gzipping a large page costs far more than serving it (17 ms for a 380 KB section page), so a
    stored page keeps a gzip copy made once, on its miss, which hits send to clients that accept it
    (GZipMiddleware then leaves them alone). Nothing in a stored page is per visitor, so the copy
    is the same for all. Each stored page has a weak ``ETag`` (a hash of its body), for
    ``ConditionalGetMiddleware``. ``Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`` for the pages
    the cache serves; ``private, no-cache`` for everything else. ``Vary: Cookie, Accept-Encoding``;
    not ``Accept-Language``, since the address alone says the language (campaign/lib/i18n.py).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import get_resolver
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# How long the generation itself is kept in the cache: longer than any page (a lost one restarts higher).
GENERATION_TIMEOUT = 24 * 3600
#: Marks a view wrapped by ``public_page`` (tests check that no coordinator's page is).
MARKER = "public_page"
#: The header that says what the page cache did: hit, miss, bypass (not used) or private.
STATE_HEADER = "X-Page-Cache"
_FORMAT = 5  # of StoredPage; a page stored in another format is ignored
_LANGUAGE = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?"
_NUMBER = r"[1-9][0-9]{0,3}"
#: The query parameters public pages read, and the form of their values: only such queries are stored.
QUERY_PARAMETERS = {
    name: re.compile(pattern)
    for name, pattern in {
        "page": _NUMBER,  # a page of comments
        "order": r"newest|oldest",
        "language": _LANGUAGE,  # the discussions in one language; the endorsers of one
        "from": _NUMBER,  # the versions a section's changes are shown between
        "to": _NUMBER,
        "side": _LANGUAGE,  # a translation beside the text
        "a": _NUMBER,  # the comparison form
        "b": _NUMBER,
        "kind": r"[a-z]{3,12}",  # the endorsers of one kind
        "country": r"[A-Z]{2}",
    }.items()
}
# Headers made again for each response; the others are stored.
_PER_RESPONSE_HEADERS = {
    "set-cookie", "vary", "cache-control", "etag", "last-modified", "expires", "content-length", "content-encoding",
    STATE_HEADER.lower(),
}  # fmt: skip
_SAFE_METHODS = ("GET", "HEAD")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


class StoredPage(NamedTuple):
    format: int
    body: bytes
    gzipped: bytes | None  # None when compressing does not pay (a short body)
    headers: tuple[tuple[str, str], ...]  # ETag last
    created: float

    @property
    def etag(self) -> str:
        return self.headers[-1][1]

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


# --- Where pages and the generation are kept --------------------------------------------------------


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _per_process(backend) -> bool:
    return isinstance(backend, LocMemCache)


def _generation_file() -> Path:
    return Path(settings.PAGE_CACHE_GENERATION_FILE)


def _fresh_generation() -> int:
    # A new counter starts from the clock, so it is higher than any earlier one even when the
    # stored number was lost (Redis restarted, key expired or evicted) while pages of it were cached.
    return time.time_ns() // 1000


class _Local:
    """This process's own copies: recently served pages (bounded in bytes), and the generation.

    A hit then costs no round trip to Redis and no unpickling of a large page. The generation is
    trusted for ``PAGE_CACHE_GENERATION_SECONDS`` (a bump in this process updates it at once).
    Pages are filed under their full key, generation included, so a new generation never finds an
    old page here either.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, StoredPage] = OrderedDict()
        self.size = 0
        self.generations: dict[str, tuple[str, float]] = {}

    def generation(self, name: str) -> str | None:
        known = self.generations.get(name)
        if known and time.monotonic() - known[1] < settings.PAGE_CACHE_GENERATION_SECONDS:
            return known[0]
        return None

    def set_generation(self, name: str, value) -> str:
        self.generations[name] = (str(value), time.monotonic())
        return str(value)

    def get(self, name: str) -> StoredPage | None:
        with self.lock:
            page = self.pages.get(name)
            if page is not None:
                self.pages.move_to_end(name)
        return page

    def put(self, name: str, page: StoredPage) -> None:
        limit = settings.PAGE_CACHE_LOCAL_BYTES
        if page.size > limit // 4:
            return
        with self.lock:
            # A newer copy replaces an expired one kept under the same key (same generation).
            replaced = self.pages.pop(name, None)
            if replaced is not None:
                self.size -= replaced.size
            self.pages[name] = page
            self.size += page.size
            while self.size > limit:
                _, dropped = self.pages.popitem(last=False)
                self.size -= dropped.size


_local = _Local()


def current_generation(backend=None) -> str:
    """Return the generation cached pages are filed under (it changes on every invalidation)."""
    backend = backend or _cache()
    per_process = _per_process(backend)
    name = str(_generation_file()) if per_process else backend.make_key(GENERATION_KEY)
    known = _local.generation(name)
    if known is not None:
        return known
    if per_process:
        try:
            return _local.set_generation(name, _generation_file().read_text() or "0")
        except FileNotFoundError:
            return "0"
    value = backend.get(GENERATION_KEY)
    if value is None:
        backend.add(GENERATION_KEY, _fresh_generation(), timeout=GENERATION_TIMEOUT)
        value = backend.get(GENERATION_KEY)
    return _local.set_generation(name, value)


def bump_generation() -> None:
    """Make every cached page miss once: called on commit after every decision, withdrawal and new version.

    Never raises: a cache that cannot be reached only means pages are rendered for every reader.
    """
    backend = _cache()
    try:
        if _per_process(backend):
            path = _generation_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            value = _fresh_generation()
            temporary.write_text(str(value))
            os.replace(temporary, path)  # readers see the old or the new number, never half of one
            _local.set_generation(str(path), value)
            return
        name = backend.make_key(GENERATION_KEY)
        try:
            value = backend.incr(GENERATION_KEY)
        except ValueError:  # no generation stored (first use, or lost): start a new, higher one
            value = _fresh_generation()
            if not backend.add(GENERATION_KEY, value, timeout=GENERATION_TIMEOUT):
                value = backend.incr(GENERATION_KEY)
        _local.set_generation(name, value)
    except Exception:  # the decision is committed; the page cache must not undo it
        log.warning("could not bump the page cache generation; cached pages expire by themselves", exc_info=True)


def _fresh(page) -> bool:
    return (
        isinstance(page, StoredPage)
        and page.format == _FORMAT
        and time.time() - page.created < settings.PAGE_CACHE_SECONDS
    )


def _load(key: str, backend=None) -> StoredPage | None:
    """Return the page stored under ``key``: from this process's copies, or from the cache."""
    backend = backend or _cache()
    name = backend.make_key(key)
    page = _local.get(name)
    if page is not None and _fresh(page):
        return page
    # Not here, or expired here (PAGE_CACHE_SECONDS): another process may have stored a newer copy.
    page = backend.get(key)
    if not _fresh(page):
        return None
    _local.put(name, page)
    return page


def _store(key: str, page: StoredPage) -> None:
    backend = _cache()
    backend.set(key, page, settings.PAGE_CACHE_SECONDS)
    _local.put(backend.make_key(key), page)


def page_key(request: HttpRequest, generation: str) -> str:
    """Return the cache key of a request's page: scheme, host, path and query (the path says the
    language), and generation."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{digest}"


# --- Which requests and responses ----------------------------------------------------------------------


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


def storable_query(query_string: str, parameters: Mapping[str, re.Pattern] = QUERY_PARAMETERS) -> bool:
    """True for a query string a page may be stored under: known parameters, each once, of the known form.

    ``parameters`` are those the page reads (every public page's, and a page's own: ``public_page``).
    """
    if not query_string:
        return True
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=True, max_num_fields=len(parameters))
    except ValueError:
        return False
    names = [name for name, _ in pairs]
    return len(set(names)) == len(names) and all(
        name in parameters and parameters[name].fullmatch(value) for name, value in pairs
    )


#: The parameters of each page that reads some of its own (``public_page(parameters=...)``), with those
#: every page reads: a hit is looked for when a query string is storable for one of them.
_OWN_PARAMETERS: list[Mapping[str, re.Pattern]] = []


def _may_be_stored(query_string: str) -> bool:
    """True when some public page could have stored a page under this query string (before routing)."""
    return storable_query(query_string) or any(storable_query(query_string, own) for own in _OWN_PARAMETERS)


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
    if getattr(request, "_csp_nonce", None):
        # The page used its CSP nonce (an inline script or style): a copy replayed to other readers
        # would carry a stale nonce, which their Content-Security-Policy header does not allow.
        return False
    return not (hasattr(request, "_messages") and len(get_messages(request)))


def _stored_page(response: HttpResponse) -> StoredPage:
    """What the cache keeps of a response: its body, a gzip copy, its headers (Django's ETag among them).

    The page is compressed once per miss: by GZipMiddleware when this visitor accepts gzip (its
    copy is kept, and the body read back from it), else here.
    """
    if response.get("Content-Encoding") == "gzip":
        gzipped = response.content
        body = gzip.decompress(gzipped)
    else:
        body = response.content
        gzipped = compress_string(body) if len(body) >= 200 else None
        if gzipped is not None and len(gzipped) >= len(body):
            gzipped = None
    headers = [(name, value) for name, value in response.items() if name.lower() not in _PER_RESPONSE_HEADERS]
    etag = response.get("ETag") or f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    # Weak: the identity and the gzip copy share it (as GZipMiddleware makes it).
    headers.append(("ETag", etag if etag.startswith("W/") else f"W/{etag}"))
    return StoredPage(_FORMAT, body, gzipped, tuple(headers), time.time())


# --- Responses ------------------------------------------------------------------------------------------


def _respond(request: HttpRequest, page: StoredPage, state: str) -> HttpResponse:
    """This visitor's response from a stored page: gzipped when they accept it, the stored headers."""
    gzipped = page.gzipped is not None and _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    body = page.gzipped if gzipped else page.body
    response = HttpResponse(body, headers=page.headers)  # its Content-Type among them
    headers = response.headers
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(body))
    return get_conditional_response(request, etag=page.etag, response=_public(response, state))


def _public(response: HttpResponseBase, state: str) -> HttpResponseBase:
    headers = response.headers
    headers["Cache-Control"] = f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
    headers["Vary"] = "Cookie, Accept-Encoding"
    headers[STATE_HEADER] = state
    return response


def _private(response: HttpResponseBase, state: str) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    response[STATE_HEADER] = state
    return response


def public_page(view: Callable[..., HttpResponseBase] | None = None, *, parameters: Mapping[str, str] | None = None):
    """Let ``PageCacheMiddleware`` store this view's pages for anonymous readers (see the docstring).

    ``@public_page`` for a page that reads only ``QUERY_PARAMETERS``;
    ``@public_page(parameters={"q": r"..."})`` for one that also reads its own, each with the form
    (a regular expression, matched whole) of the values it may be stored under. A parameter named
    here and in ``QUERY_PARAMETERS`` takes this page's form, on this page only.
    """
    if view is None:
        return lambda view: _public_page(view, parameters)
    return _public_page(view, parameters)


def _public_page(view, parameters: Mapping[str, str] | None) -> Callable[..., HttpResponseBase]:
    readable = QUERY_PARAMETERS
    if parameters:
        readable = {**QUERY_PARAMETERS, **{name: re.compile(form) for name, form in parameters.items()}}
        _OWN_PARAMETERS.append(readable)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        request._public_page = True
        request._page_parameters = readable
        return view(request, *args, **kwargs)

    setattr(wrapper, MARKER, True)
    return wrapper


class PageCacheMiddleware:
    """Answer page cache hits before the rest of the middleware and the URL routing; store the misses.

    Place it right after whitenoise, before GZipMiddleware and ConditionalGetMiddleware: a hit then
    costs no more than a static file (it comes compressed already, and its 304 is answered here
    with Django's own ``get_conditional_response``), and the frame, security and CSP middleware,
    outside, still add their headers. A miss keeps what those two made: the ETag, the gzip copy.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        # Import the views now, not at the first miss: a page reading parameters of its own registers
        # them when it is decorated, and a hit on it is looked for before any URL is resolved.
        get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = None
        query = request.META.get("QUERY_STRING", "")
        if _may_be_stored(query) and _anonymous_request(request) and _enabled() and not _in_transaction():
            try:
                backend = _cache()
                key = page_key(request, current_generation(backend))
                page = _load(key, backend)
            except Exception:  # a cache that is down must not take the site with it
                log.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
                key, page = None, None
            if page is not None:
                return _respond(request, page, "hit")
        response = self.get_response(request)
        if not getattr(request, "_public_page", False):
            return response
        known_query = storable_query(query, getattr(request, "_page_parameters", QUERY_PARAMETERS))
        if not (known_query and _anonymous_request(request)):  # rendered for this visitor alone
            return _private(response, "private")
        if response.status_code == 304:  # ConditionalGetMiddleware found the page the visitor has
            return _public(response, "miss" if key else "bypass")
        if not _storable(request, response):
            return _private(response, "private")
        if key is None:  # in a transaction, the cache off or down: the same headers
            return _public(response, "bypass")
        page = _stored_page(response)
        try:
            _store(key, page)
        except Exception:
            log.warning("could not store %s in the page cache", request.path, exc_info=True)
        return _respond(request, page, "miss")
