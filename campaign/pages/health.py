"""``/health/``: whether this process can reach the database, the cache and the broker.

Docker's health checks call it instead of fetching a page, which the page cache may answer from
memory while a service is down. It names what is down (never why: no address, no error text) and
is never cached; it reads no session and sets no cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)
_PROBE_KEY = "health:probe"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    backend = caches["default"]
    backend.set(_PROBE_KEY, "1", timeout=10)
    if backend.get(_PROBE_KEY) != "1":
        raise RuntimeError("the cache did not keep a value")


def _broker() -> None:
    with current_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when every service answers, else 503 naming those that do not."""
    down = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            log.warning("health check: the %s is down", name, exc_info=True)
            down.append(name)
    return JsonResponse({"status": "down" if down else "ok", "down": down}, status=503 if down else 200)
