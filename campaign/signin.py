"""Coordinators' sign-in (the admin's login page), with brute-force protection.

Two limits, both counted per keyed hash of the client address (campaign/ratelimits.py), so that
no address is stored: every sign-in attempt from one address (``RATELIMIT_SIGN_IN``), and the
failed attempts on one account from one address (``RATELIMIT_SIGN_IN_FAILURES``): past that, the
pair is locked until the period ends. Locking an account from everywhere would let anybody lock
the coordinators out; locking the pair stops guessing from one connection without that.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from campaign import ratelimits


@sensitive_post_parameters()
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's login view, behind the two limits."""
    if request.method == "POST":
        username = request.POST.get("username", "")
        verdict = ratelimits.hit(request, group="sign-in", rate=settings.RATELIMIT_SIGN_IN, fail_open=False)
        if not verdict:
            verdict = ratelimits.sign_in_locked(request, username, rate=settings.RATELIMIT_SIGN_IN_FAILURES)
        if verdict:
            wait = ratelimits.minutes(verdict)
            message = ngettext(
                "Too many sign-in attempts from your connection. For your account's safety, wait "
                "%(minutes)d minute and try again.",
                "Too many sign-in attempts from your connection. For your account's safety, wait "
                "%(minutes)d minutes and try again.",
                wait,
            ) % {"minutes": wait}
            return ratelimits.too_many(request, verdict, message)
    response = admin.site.login(request)
    # Success signs the visitor in and redirects; anything else (the form again) is a failure, even
    # for a visitor already signed in (as somebody else) who tries another account.
    signed_in = response.status_code == 302 and request.user.is_authenticated
    if request.method == "POST" and not signed_in:
        ratelimits.sign_in_failed(request, request.POST.get("username", ""), rate=settings.RATELIMIT_SIGN_IN_FAILURES)
    return response
