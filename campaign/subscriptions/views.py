"""News by email: subscribe, check your mail, confirm, manage, unsubscribe. Every page works without JavaScript.

The pages opened from a subscriber's mail hold their token in the address: they are private to that
visit (``comments.views.poster_link``: no cache, no referrer, no CSRF check, the token being the
credential) and the token is cut out of every log.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from campaign.lib import ratelimits
from campaign.lib.cache import public_page
from campaign.subscriptions import services
from campaign.subscriptions.forms import ManageForm, SubscribeForm
from campaign.subscriptions.models import Subscriber
from comments.views import poster_link

LINK_INVALID = "subscriptions/link_invalid.html"


def _link_invalid(request: HttpRequest) -> HttpResponse:
    """One page, one status, for a mistyped, used-up or expired link: it tells nothing more."""
    return render(request, LINK_INVALID, status=404)


def _subscribe_page(request: HttpRequest, form: SubscribeForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "days": settings.SUBSCRIPTIONS_CONFIRMATION_DAYS}
    return render(request, "subscriptions/subscribe.html", context, status=status)


@csrf_exempt
@public_page
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The subscription form; a valid post redirects to "check your mail", whatever the address.

    Not checked for CSRF: the page is shared from the page cache, so it carries no token, and a
    subscription made from another site still waits for its mailbox's confirmation.
    """
    if request.method == "GET":
        return _subscribe_page(request, SubscribeForm())
    form = SubscribeForm(request.POST)
    verdict = ratelimits.hit(request, group="subscriptions.subscribe", rate=settings.RATELIMIT_SUBSCRIBE)
    if verdict:
        wait = ratelimits.minutes(verdict)
        message = ngettext(
            "Too many subscriptions were sent from your connection. Please try again in %(minutes)d minute.",
            "Too many subscriptions were sent from your connection. Please try again in %(minutes)d minutes.",
            wait,
        ) % {"minutes": wait}
        return ratelimits.too_many(request, verdict, message)
    if not form.is_valid():
        return _subscribe_page(request, form, status=400)
    if not form.from_a_bot():
        services.subscribe(
            request=services.Request(
                email=form.cleaned_data["email"], topics=form.chosen(), language=translation.get_language()
            )
        )
    return HttpResponseRedirect(reverse("subscriptions:sent"), status=303)


@public_page
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """Check your mail: the same page for a new address, one waiting for confirmation and one subscribed."""
    return render(request, "subscriptions/sent.html", {"days": settings.SUBSCRIPTIONS_CONFIRMATION_DAYS})


@poster_link
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a subscription from the mailed link: GET shows a button, POST confirms (link scanners only GET)."""
    subscriber = services.from_token(token)
    if subscriber is None:
        return _link_invalid(request)
    context = {"subscriber": subscriber, "token": token}
    if request.method == "GET":
        return render(request, "subscriptions/confirm.html", context)
    verdict = ratelimits.hit(request, group="subscriptions.confirm", rate=settings.RATELIMIT_CONFIRM)
    if verdict:
        return ratelimits.too_many_confirmations(request, verdict)
    confirmed_now = services.confirm(subscriber=subscriber)
    return render(request, "subscriptions/confirmed.html", {**context, "confirmed_now": confirmed_now})


def _manage_page(request: HttpRequest, subscriber: Subscriber, token: str, form: ManageForm, **extra) -> HttpResponse:
    context = {"subscriber": subscriber, "token": token, "form": form, **extra}
    return render(request, "subscriptions/manage.html", context, status=400 if form.errors else 200)


@poster_link
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Change what a subscriber receives and in which language; unsubscribe (post/redirect/get on saving)."""
    subscriber = services.from_token(token)
    if subscriber is None:
        return _link_invalid(request)
    if subscriber.confirmed_at is None:
        # Nothing to manage before the mailbox confirmed it: the same link confirms.
        return HttpResponseRedirect(reverse("subscriptions:confirm", args=[token]))
    if request.method == "GET":
        form = ManageForm(initial={"topics": subscriber.topics, "language": subscriber.language})
        return _manage_page(request, subscriber, token, form, saved=request.GET.get("saved") == "1")
    form = ManageForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, subscriber, token, form)
    language = form.cleaned_data["language"]
    services.change(subscriber=subscriber, topics=form.chosen(), language=language)
    # Back in the language just chosen for the mail: the page now speaks it too.
    with translation.override(language):
        return HttpResponseRedirect(reverse("subscriptions:manage", args=[token]) + "?saved=1", status=303)


@poster_link
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Unsubscribe: GET shows a button; POST deletes the subscription, address included.

    A mail reader's one-click unsubscribe (RFC 8058) posts ``List-Unsubscribe=One-Click`` here, with no
    cookie and no CSRF token: the token in the address is the credential. It gets the answer at once
    (200, no redirect to follow); the page's own button posts ``via=page`` and is redirected to a page
    that answers a GET. A link already used, or unknown, gets the same answer: no subscription is left.
    """
    if request.method == "POST":
        services.unsubscribe(token=token)
        if request.POST.get("via") == "page":
            return HttpResponseRedirect(reverse("subscriptions:unsubscribed"), status=303)
        context = {"language_target": lambda: reverse("subscriptions:unsubscribed")}
        return render(request, "subscriptions/unsubscribed.html", context)
    subscriber = services.from_token(token)
    if subscriber is None:
        return _link_invalid(request)
    return render(request, "subscriptions/unsubscribe.html", {"subscriber": subscriber, "token": token})


@public_page
@require_GET
def unsubscribed(request: HttpRequest) -> HttpResponse:
    """You are unsubscribed: the address is deleted."""
    return render(request, "subscriptions/unsubscribed.html")
