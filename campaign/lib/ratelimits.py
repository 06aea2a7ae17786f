"""Rate limits on posting, confirming and signing in, with django-ratelimit, keyed on address hashes.

django-ratelimit counts requests in the cache (Redis in production, so every web process shares
the counts). Its cache keys are a SHA-256 of the group, rate, window and key value; the key value
here is the keyed HMAC of the client address (``campaign.lib.privacy``), never the address: so neither
the cache nor its keys hold an address, nor anything that could be turned back into one without
``ADDRESS_HMAC_KEY`` (a plain hash of an IPv4 address could, by trying all 2^32).

When the cache cannot be reached, posting and confirming go on (the worst outcome for this site
is a real organisation's comment refused), while signing in is refused (a coordinator can wait; a
password guesser must not get unlimited tries).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

from django.contrib.auth.forms import UsernameField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from campaign.lib.privacy import request_address_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    limited: bool
    retry_after: int = 0  # seconds until the window ends (0: unknown)

    def __bool__(self) -> bool:
        return self.limited


def by_address(group: str, request: HttpRequest) -> str:
    """django-ratelimit key: the keyed HMAC of the client address."""
    return request_address_hash(request) or "no-address"


def _account_and_address(username: str):
    # The account as Django's sign-in form reads the name (stripped, then NFKC-normalised: full-width
    # U+FF41 is "a"), so that every spelling of one account counts against it. No casefold: the model
    # backend matches the name exactly, so two spellings differing in case are two accounts.
    account = hashlib.sha256(UsernameField().to_python(username).encode()).hexdigest()

    def key(group: str, request: HttpRequest) -> str:
        return f"{account}:{by_address(group, request)}"

    return key


def _check(request: HttpRequest, *, group: str, rate: str, key, increment: bool, fail_open: bool) -> Verdict:
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=increment)
    except Exception:  # the cache is down: see the module's docstring
        log.warning("rate limit %s not checked: the cache cannot be reached", group, exc_info=True)
        return Verdict(limited=not fail_open)
    if usage is None:  # RATELIMIT_ENABLE is off
        return Verdict(limited=False)
    # A count that did not reach the cache (None) comes back as limit 0: the cache failed quietly.
    if usage["limit"] == 0 and usage["time_left"] == -1:
        log.warning("rate limit %s not checked: the cache did not count", group)
        return Verdict(limited=not fail_open)
    limited = usage["count"] > usage["limit"] if increment else usage["count"] >= usage["limit"]
    return Verdict(limited=limited, retry_after=max(0, usage["time_left"]))


def hit(request: HttpRequest, *, group: str, rate: str, fail_open: bool = True) -> Verdict:
    """Count one request from this address against ``rate``; say whether it is over the limit."""
    return _check(request, group=group, rate=rate, key=by_address, increment=True, fail_open=fail_open)


def sign_in_locked(request: HttpRequest, username: str, *, rate: str) -> Verdict:
    """Whether this account may not be tried from this address any more (too many failures)."""
    key = _account_and_address(username)
    return _check(request, group="sign-in-failures", rate=rate, key=key, increment=False, fail_open=False)


def sign_in_failed(request: HttpRequest, username: str, *, rate: str) -> None:
    """Count a failed sign-in to this account from this address."""
    key = _account_and_address(username)
    _check(request, group="sign-in-failures", rate=rate, key=key, increment=True, fail_open=False)


def minutes(verdict: Verdict) -> int:
    """Whole minutes to wait, at least one."""
    return max(1, math.ceil(verdict.retry_after / 60))


def too_many(request: HttpRequest, verdict: Verdict, message: str, *, template: str = "429.html", context=None):
    """The 429 page: what happened, in the visitor's language, and how long to wait."""
    response: HttpResponse = render(request, template, {"message": message, **(context or {})}, status=429)
    if verdict.retry_after:
        response["Retry-After"] = str(verdict.retry_after)
    return response


def too_many_confirmations(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    """The answer to a confirmation link opened too often from one connection (comments, subscriptions)."""
    wait = minutes(verdict)
    message = ngettext(
        "Too many confirmations were sent from your connection. Please open the link again in %(minutes)d minute.",
        "Too many confirmations were sent from your connection. Please open the link again in %(minutes)d minutes.",
        wait,
    )
    return too_many(request, verdict, message % {"minutes": wait})
