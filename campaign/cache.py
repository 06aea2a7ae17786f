"""The page cache of public pages: the decorator ``public_page``, the middleware that serves its hits
early, and one invalidation, ``bump_generation``.

What is cached
    The whole response of a public GET page (home, about, organisations, endorsers, the note's
    document, version, print, section and comparison pages, the feeds), in the configured cache
    (Redis in production and CI, local memory embedded), for ``PAGE_CACHE_SECONDS``. The key is
    the scheme, host, path and query string, the language the page is rendered in
    (``translation.get_language()``), and a global *generation* number. Each process also keeps
    the pages it served last (``PAGE_CACHE_LOCAL_BYTES``), so a hit usually costs no round trip.

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
    (``campaign.admin_cache``). Other changes (a version whose publication date arrives, a row
    changed in a shell) show once the cached copy expires, after ``PAGE_CACHE_SECONDS``.

    The generation lives in the cache itself. When that cache is local memory (the embedded
    default), each process has its own memory, and a decision taken by the Celery worker would
    not reach the web processes: then the generation lives in a small file under ``var/``
    instead, which every process on the machine reads.

Who is served from the cache
    Only anonymous readers: GET or HEAD requests that carry neither a session cookie nor a
    messages cookie. Everybody else (a signed-in member, a coordinator, a poster who was just
    redirected to the page with "Thank you, your comment awaits moderation") gets the page
    rendered for them, marked ``Cache-Control: private, no-cache``. A response is stored only if it
    is a 200, sets no cookie (but the CSRF one, see below), adds no message, does not modify the
    session and did not use its Content-Security-Policy nonce (a replayed nonce would be stale).
    Coordinators' pages (``/desk/``, ``/admin/``) are never decorated: they are never cached here,
    and they send Django's ``never_cache`` headers.

    While a database transaction is open (``ATOMIC_REQUESTS`` is off, so only tests and code that
    wraps a view in one do this), the cache is bypassed both ways: a page rendered from rows that
    may still roll back must not be shared, and a stored page could contradict what the
    transaction already wrote. The headers are the same as with the cache.

Serving hits early
    ``PageCacheMiddleware`` (right after whitenoise in ``MIDDLEWARE``) answers a hit before the
    sessions, locale, CSRF, authentication and messages middleware and the URL routing run: it
    works out the language as the locale middleware would, and runs the CSRF middleware's own
    request and response steps for the visitor's token. A page is stored with the headers the
    whole stack gave it on its miss (Content-Type, Content-Language...), so a hit replays them.
    Without the middleware, the decorator serves the hits itself.

CSRF tokens in cached pages
    Pages with a form carry a CSRF token (the comment form on sections and the document; the
    language switch is plain links). A cached copy must not hand one visitor's token to the next,
    so the stored copy is cut where the token was, and each response gets a token of its own
    visitor's CSRF secret (``django.middleware.csrf.get_token``), sent in a cookie by Django's CSRF
    middleware when the visitor has none yet. So every form keeps Django's CSRF protection on
    cached pages. Posting a comment is additionally exempt from the CSRF check
    for anonymous posters (``comments.views.post``): their post is protected by the form's signed
    security hash and the email confirmation, and so it works even from a copy a proxy kept.

    The comment form also carries a signed timestamp (django-comments), here the time the cached
    copy was rendered, not the time the reader opened the page: with ``PAGE_CACHE_SECONDS`` short
    this only makes the screening's "sent too fast after opening the form" check see up to that
    many seconds more, and a form never expires early because of it.

Compression
    Gzipping a large page costs far more than serving it (17 ms for a 380 KB section page), so a
    stored page keeps a gzip copy made once, on its miss: its pieces are compressed separately
    and each visitor's token goes between them in an uncompressed ("stored") deflate block; the
    CRC is computed per response. The token is thus never compressed together with the page (no
    BREACH length oracle on it), and GZipMiddleware leaves these responses alone.

HTTP caching
    Every response of a decorated view has an ``ETag`` (a hash of the stored body; for pages with
    a CSRF token also of the visitor's CSRF secret, so that a browser's copy is only revalidated
    while its token still works) and answers ``If-None-Match`` with 304, from the cache too.
    ``Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE`` for the responses the cache serves;
    ``private, max-age=...`` for the first response to a visitor without a CSRF cookie (it sets
    one, so no shared cache may keep it); ``private, no-cache`` for everything else.
    ``Vary: Cookie`` always (and ``Accept-Encoding``); not ``Accept-Language``, since the address
    alone says the language (campaign/i18n.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import parse_etags

from campaign.i18n import language_of_path

log = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# How long the generation itself is kept in the cache: longer than any page (a lost one restarts higher).
GENERATION_TIMEOUT = 24 * 3600
#: Marks a view wrapped by ``public_page`` (tests check that no coordinator's page is).
MARKER = "public_page"
#: The header that says what the page cache did: hit, miss, bypass (not used) or private.
STATE_HEADER = "X-Page-Cache"
_FORMAT = 4  # of StoredPage; a page stored in another format is ignored

# What Django's {% csrf_token %} writes; the stored page is cut where its token was.
_TOKEN_RE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
_TOKEN_PREFIX = b'name="csrfmiddlewaretoken" value="'
_PLACEHOLDER = _TOKEN_PREFIX + b'@@csrf-token@@"'
# Headers made again for each response (per visitor or per encoding); the others are stored.
_PER_RESPONSE_HEADERS = {
    "set-cookie", "vary", "cache-control", "etag", "last-modified", "expires", "content-length",
    "content-encoding", STATE_HEADER.lower(),
}  # fmt: skip
_SAFE_METHODS = ("GET", "HEAD")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
_GZIP_LEVEL = 6  # as GZipMiddleware: level 9 costs a fifth more time for 1 % less


class StoredPage(NamedTuple):
    format: int
    parts: tuple[bytes, ...]  # the body, cut where CSRF tokens go (one part: no token)
    # With tokens: each part as raw deflate, all but the last ending on a full flush. Without: the
    # whole gzip response, ready to send as it is (most pages: nothing in them is per visitor).
    deflated: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...]
    digest: str
    created: float

    @property
    def has_token(self) -> bool:
        return len(self.parts) > 1

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + sum(map(len, self.deflated))


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
            if name in self.pages:
                return
            self.pages[name] = page
            self.size += page.size
            while self.size > limit:
                _, dropped = self.pages.popitem(last=False)
                self.size -= dropped.size


_local = _Local()


def current_generation() -> str:
    """Return the generation cached pages are filed under (it changes on every invalidation)."""
    backend = _cache()
    if _per_process(backend):
        try:
            return _generation_file().read_text() or "0"
        except FileNotFoundError:
            return "0"
    name = backend.make_key(GENERATION_KEY)
    known = _local.generation(name)
    if known is not None:
        return known
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
            temporary.write_text(str(_fresh_generation()))
            os.replace(temporary, path)  # readers see the old or the new number, never half of one
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


def _load(key: str) -> StoredPage | None:
    """Return the page stored under ``key``: from this process's copies, or from the cache."""
    backend = _cache()
    name = backend.make_key(key)
    page = _local.get(name)
    if page is None:
        page = backend.get(key)
        if _fresh(page):
            _local.put(name, page)
    return page if _fresh(page) else None


def _store(key: str, page: StoredPage) -> None:
    backend = _cache()
    backend.set(key, page, settings.PAGE_CACHE_SECONDS)
    _local.put(backend.make_key(key), page)


def page_key(request: HttpRequest, generation: str, language: str | None = None) -> str:
    """Return the cache key of a request's page: scheme, host, path, query, language and generation."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{language or translation.get_language()}:{digest}"


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


def _kept_headers(response: HttpResponseBase) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value in response.items() if name.lower() not in _PER_RESPONSE_HEADERS)


def _deflate(part: bytes, *, last: bool) -> bytes:
    compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(part) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def _stored_page(response: HttpResponse) -> StoredPage:
    """What the cache keeps of a response: its body cut where CSRF tokens were, compressed too."""
    body = _TOKEN_RE.sub(_PLACEHOLDER, response.content)
    parts = tuple(body.split(_PLACEHOLDER))
    deflated = tuple(_deflate(part, last=index == len(parts) - 1) for index, part in enumerate(parts))
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    page = StoredPage(_FORMAT, parts, deflated, _kept_headers(response), digest, time.time())
    if not page.has_token:
        page = page._replace(deflated=(_gzip_member(parts, deflated, b""),))
    return page


def _gzip(page: StoredPage, token: bytes) -> bytes:
    """The page gzipped, with this visitor's token, if it has any (else made once, when stored)."""
    return _gzip_member(page.parts, page.deflated, token) if page.has_token else page.deflated[0]


def _gzip_member(parts: tuple[bytes, ...], deflated_parts: tuple[bytes, ...], token: bytes) -> bytes:
    """One gzip member: the deflated parts, with the token in stored blocks between them."""
    stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token  # BFINAL=0, BTYPE=00
    chunks = [_GZIP_HEADER]
    crc = size = 0
    for index, (part, deflated) in enumerate(zip(parts, deflated_parts, strict=True)):
        if index:
            chunks.append(stored)
            crc, size = zlib.crc32(token, crc), size + len(token)
        chunks.append(deflated)
        crc, size = zlib.crc32(part, crc), size + len(part)
    chunks.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(chunks)


# --- Responses ------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _etag_key(secret_key: str) -> bytes:
    return salted_hmac("campaign.cache.etag", "", secret=secret_key).digest()


def _etag(request: HttpRequest, page: StoredPage) -> str:
    if not page.has_token:
        return f'W/"{page.digest}"'
    secret = request.META.get("CSRF_COOKIE", "").encode()
    mark = hashlib.blake2b(secret, key=_etag_key(settings.SECRET_KEY), digest_size=5).hexdigest()
    return f'W/"{page.digest}-{mark}"'


def _had_csrf_secret(request: HttpRequest) -> bool:
    """True when the visitor sent a valid CSRF cookie (checked before the view may create a secret)."""
    return "CSRF_COOKIE" in request.META and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _respond(request: HttpRequest, page: StoredPage, state: str, *, had_secret: bool) -> HttpResponseBase:
    """Make this visitor's response from a stored page: their CSRF token, ETag, 304, encoding, headers."""
    sets_cookie = page.has_token and not had_secret
    # A new visitor gets a new secret here, which the CSRF middleware sends in a cookie.
    token = get_token(request) if sets_cookie else None
    etag = _etag(request, page)
    if not sets_cookie and etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response: HttpResponseBase = HttpResponseNotModified()
    else:
        insert = _TOKEN_PREFIX + (token or get_token(request)).encode() + b'"' if page.has_token else b""
        gzipped = _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        body = _gzip(page, insert) if gzipped else (insert.join(page.parts) if page.has_token else page.parts[0])
        response = HttpResponse(body)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        for name, value in page.headers:
            response[name] = value
        response["Content-Length"] = str(len(body))
    if had_secret:
        # The visitor already holds this secret: the cookie need not be sent again.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    # Set whole: a stored page keeps none of these headers.
    headers = response.headers
    headers["ETag"] = etag
    headers["Cache-Control"] = f"{'private' if sets_cookie else 'public'}, max-age={settings.PAGE_CACHE_MAX_AGE}"
    headers["Vary"] = "Cookie, Accept-Encoding"
    headers[STATE_HEADER] = state
    return response


def _private(response: HttpResponseBase, state: str) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    response[STATE_HEADER] = state
    return response


def public_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve a public page from the page cache to anonymous readers; see this module's docstring."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not _anonymous_request(request):
            return _private(view(request, *args, **kwargs), "private")
        had_secret = _had_csrf_secret(request)
        key = None
        if _enabled() and not _in_transaction():
            try:
                key = page_key(request, current_generation())
                page = _load(key)
            except Exception:  # a cache that is down must not take the site with it
                log.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
                key, page = None, None
            if page is not None:
                return _respond(request, page, "hit", had_secret=had_secret)
        response = view(request, *args, **kwargs)
        if not _storable(request, response):
            return _private(response, "private")
        page = _stored_page(response)
        if key is not None:
            if getattr(request, "_page_cache_middleware", False):
                request._page_cache_pending = (key, page)  # stored with the final headers, on the way out
            else:
                _store_quietly(request, key, page)
        return _respond(request, page, "miss" if key is not None else "bypass", had_secret=had_secret)

    setattr(wrapper, MARKER, True)
    return wrapper


def _store_quietly(request: HttpRequest, key: str, page: StoredPage) -> None:
    try:
        _store(key, page)
    except Exception:
        log.warning("could not store %s in the page cache", request.path, exc_info=True)


class PageCacheMiddleware:
    """Answer page cache hits before the rest of the middleware and the URL routing (see the docstring).

    Place it right after whitenoise: the frame, security and CSP middleware, outside it, still add
    their headers, and GZipMiddleware is not needed for these responses (they come compressed).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.csrf_cookie = settings.CSRF_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request._page_cache_middleware = True
        if _anonymous_request(request) and _enabled() and not _in_transaction():
            try:
                language = language_of_path(request.path_info)  # as LocaleMiddleware will (campaign/i18n.py)
                page = _load(page_key(request, current_generation(), language))
            except Exception:  # the decorator will render the page and say so in the log
                page = None
            if page is not None and not page.has_token:
                return _respond(request, page, "hit", had_secret=False)  # the same bytes for every reader
            if page is not None:
                self.csrf.process_request(request)
                response = _respond(request, page, "hit", had_secret=_had_csrf_secret(request))
                return self.csrf.process_response(request, response)
        response = self.get_response(request)
        pending = getattr(request, "_page_cache_pending", None)
        if pending is not None and response.status_code == 200 and set(response.cookies) <= {self.csrf_cookie}:
            key, page = pending
            _store_quietly(request, key, page._replace(headers=_kept_headers(response)))
        return response
