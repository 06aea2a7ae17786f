"""Coordinators' sign-in (the desk's own page, and the admin's login page), with brute-force protection.

Two limits, both counted per keyed hash of the client address (campaign/lib/ratelimits.py), so that
no address is stored: every sign-in attempt from one address (``RATELIMIT_SIGN_IN``), and the
failed attempts on one account from one address (``RATELIMIT_SIGN_IN_FAILURES``): past that, the
pair is locked until the period ends. Locking an account from everywhere would let anybody lock
the coordinators out; locking the pair stops guessing from one connection without that.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from campaign.lib import ratelimits


def _limited(login):
    """Put ``login`` (a view that signs in with Django's AuthenticationForm) behind the two limits.

    One wrapper for both sign-in pages, so that failures on either count against the same pair.
    """

    @sensitive_post_parameters()
    @csrf_protect
    @never_cache
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
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
        response = login(request, *args, **kwargs)
        # Success signs the visitor in and redirects; anything else (the form again) is a failure, even
        # for a visitor already signed in (as somebody else) who tries another account.
        signed_in = response.status_code == 302 and request.user.is_authenticated
        if request.method == "POST" and not signed_in:
            ratelimits.sign_in_failed(
                request, request.POST.get("username", ""), rate=settings.RATELIMIT_SIGN_IN_FAILURES
            )
        return response

    return view


class DeskSignIn(LoginView):
    """The desk's sign-in: the site's own page, in the language of its address.

    ``next`` is checked by LoginView against this host only (``url_has_allowed_host_and_scheme``);
    anything else lands on the desk.
    """

    template_name = "desk/sign_in.html"
    extra_context = {"title": _("Sign in to the moderation desk")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if form.is_bound:  # the error summary takes the focus instead (one autofocus per page)
            form.fields["username"].widget.attrs.pop("autofocus", None)
        return form

    def get_default_redirect_url(self) -> str:
        return resolve_url("desk:home")


# The admin's login view, behind the two limits.
sign_in = _limited(admin.site.login)
desk_sign_in = _limited(DeskSignIn.as_view())
