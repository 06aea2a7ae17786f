"""Posting, confirming, replying, withdrawing, muting, a poster's own data: every page works without JavaScript."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.lib import ratelimits
from campaign.lib.privacy import client_address
from comments import revisions, selectors, services
from comments.forms import OrgCommentForm
from comments.models import ModerationEvent, OrgComment, State

log = logging.getLogger(__name__)


def _resolve_target(data) -> object | None:
    """Return the object a form says it comments on, if it is one that takes comments."""
    try:
        app_label, model_name = str(data.get("content_type", "")).split(".", 1)
        if f"{app_label}.{model_name}" not in settings.COMMENTS_TARGET_MODELS:
            return None
        model = apps.get_model(app_label, model_name)
        manager = model._default_manager
        # A section is named by its current heading on the pages, loaded with it in the one query.
        objects = manager.with_title() if hasattr(manager, "with_title") else manager.all()
        return objects.get(pk=data.get("object_pk"))
    except (ValueError, LookupError, ObjectDoesNotExist, ValidationError, TypeError):
        return None


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    # The language switcher of a page answering a POST leads to pages that answer a GET (campaign.lib.i18n).
    context = {"message": message, "language_target": lambda: reverse("campaign:home")}
    return render(request, "comments/bad_request.html", context, status=400)


def _link_invalid(request: HttpRequest, message: str) -> HttpResponse:
    """One page, one status, for a forged, mistyped, replaced or expired link: it tells nothing more."""
    return render(request, "comments/link_invalid.html", {"message": message}, status=404)


def poster_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark every answer to a page whose address holds a poster's token as private to that visit.

    ``Cache-Control: no-store``: no browser history cache, shared proxy or the page cache keeps a
    page opened with the link; ``Referrer-Policy: no-referrer``: a link followed from it does not
    hand the token to the next site (or to our own log of referers).

    Not checked for CSRF: the unguessable token in the address is the credential (as in a one-click
    unsubscribe), and no session or cookie is; a cross-site form cannot post to a link it does not
    know. Django's check would also refuse every honest post from these pages: under
    ``no-referrer`` a browser sends ``Origin: null`` and no Referer.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def own_comment(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give ``view`` the comment a signed link from a poster's mail names, or answer that the link is broken."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        try:
            comment = services.comment_from_withdraw_token(token)
        except services.CommentError as exc:
            return _link_invalid(request, str(exc))
        return view(request, token, comment)

    return wrapped


def _form_page(request: HttpRequest, form: OrgCommentForm, target, parent, status: int = 200) -> HttpResponse:
    if form.is_bound and form.has_security_errors():
        form.refresh_security_data()
    context = {
        "form": form,
        "target": target,
        "parent": parent,
        # The post's address answers no GET: the switcher leads to the form on the page in each language.
        "language_target": lambda: target.get_absolute_url() + "#comment-form",
    }
    return render(request, "comments/form_page.html", context, status=status)


def _sent_url(target) -> str:
    """The address of the page that tells a poster what happens next (post/redirect/get)."""
    return f"{reverse('comments:sent')}?content_type={target._meta.label_lower}&object_pk={target.pk}"


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Check the CSRF token of a signed-in poster; return the refusal, or None to go on.

    Anonymous posters are not checked: the form sits on cached pages (campaign.lib.cache), which a
    proxy may share, and their post is protected by the form's signed security hash and by the
    email confirmation instead. A signed-in member posts under their account without confirming
    by email, so their post needs the token of their own session.
    """
    if not request.user.is_authenticated:
        return None
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})


@csrf_exempt
@require_POST
def post(request: HttpRequest) -> HttpResponse:
    """Store a new comment or reply; on any problem show the form again with the text kept."""
    refusal = _csrf_refusal(request)
    if refusal is not None:
        return refusal
    target = _resolve_target(request.POST)
    if target is None:
        return _bad_request(request, _("This comment form does not belong to a page that takes comments."))
    parent = None
    reply_to = request.POST.get("reply_to", "0")
    if reply_to not in ("", "0"):
        # isdigit() alone also accepts superscripts and other digits int() refuses ("⁰⁴⁵"); past 18
        # digits, a number no longer fits the database's integer (SQLite raises rather than match nothing).
        if not (reply_to.isascii() and reply_to.isdigit()) or len(reply_to) > 18:
            return _bad_request(request, _("This reply does not point at a comment."))
        parent = OrgComment.objects.visible().filter(pk=int(reply_to)).first()
        if parent is None:
            return _bad_request(request, _("The comment you are replying to is not available."))
    form = OrgCommentForm(target, data=request.POST, parent=parent)
    verdict = ratelimits.hit(request, group="comments.post", rate=settings.RATELIMIT_POST_COMMENT)
    if verdict:
        # Nothing is stored; the form comes back with everything the poster typed.
        form.refuse_for_now(ratelimits.minutes(verdict))
        return _form_page(request, form, target, parent, status=429)
    if not form.is_valid():
        return _form_page(request, form, target, parent)
    # Worked out before the comment is stored (a section's address reads its document): once it is
    # stored, nothing may fail the answer, or a poster told to send again would be told it is a duplicate.
    back_to_page = target.get_absolute_url() + "#comments"
    sent_page = _sent_url(target)
    try:
        comment = services.comment_submit(
            submission=form.submission(), user=request.user, client_address=client_address(request)
        )
    except services.DuplicateComment as exc:
        # Raised for a signed-in member's own earlier comment only: never for a typed address.
        messages.info(request, str(exc))
        return HttpResponseRedirect(back_to_page)
    except services.CommentError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, target, parent)
    # A member posting with their account's address has nothing to confirm; any other post does.
    return HttpResponseRedirect(sent_page + ("&mail=0" if comment.state != State.UNCONFIRMED else ""))


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """Tell a poster, at the top of the page, what happens to the comment they have just sent.

    The answer to a valid post redirects here, so reloading it sends nothing again and the switcher's
    links work. It names no comment: the page is the same for every poster of the same page.
    """
    target = _resolve_target(request.GET)
    context = {
        "target": target,
        "signed_in": request.user.is_authenticated and request.GET.get("mail") == "0",
        "days": settings.COMMENTS_CONFIRMATION_DAYS,
    }
    return render(request, "comments/sent.html", context)


def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Show a comment and the form to reply to it."""
    parent = get_object_or_404(OrgComment.objects.visible(), pk=comment_id)
    target = parent.content_object
    if target is None:
        raise Http404
    form = OrgCommentForm(target, parent=parent)
    return render(request, "comments/form_page.html", {"form": form, "target": target, "parent": parent})


@poster_link
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a comment by its mailed token; GET asks, POST confirms (mail scanners only GET)."""
    if request.method == "GET":
        if not services.confirmation_link_works(token):
            return _link_invalid(request, services.CONFIRMATION_LINK_INVALID)
        return render(request, "comments/confirm.html", {"token": token})
    verdict = ratelimits.hit(request, group="comments.confirm", rate=settings.RATELIMIT_CONFIRM)
    if verdict:
        return ratelimits.too_many_confirmations(request, verdict)
    try:
        done = services.comment_confirm(token=token)
    except services.CommentError as exc:
        return _link_invalid(request, str(exc))
    context = {"comment": done.kept or done.comment, "confirmed_now": done.confirmed_now, "repeated": done.kept}
    return render(request, "comments/confirmed.html", context)


@poster_link
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Let a poster withdraw their comment through the signed link in their mail."""
    try:
        comment = services.comment_from_withdraw_token(token)
    except services.CommentError as exc:
        return _link_invalid(request, str(exc))
    if request.method == "POST" and comment.state != State.WITHDRAWN:
        services.comment_withdraw(comment=comment)
        comment.refresh_from_db()
    context = {"comment": comment, "token": token, "replies": selectors.visible_replies(comment)}
    return render(request, "comments/withdraw.html", context)


@poster_link
@require_http_methods(["GET", "POST"])
@own_comment
def correct(request: HttpRequest, token: str, comment: OrgComment) -> HttpResponse:
    """Let a poster correct their comment through the signed link in their mail (PRG on success)."""
    context = {"comment": comment, "token": token, "correctable": comment.state in revisions.CORRECTABLE}
    if request.method == "POST":
        text = request.POST.get("comment", "")
        try:
            revisions.correction_propose(comment=comment, text=text)
        except services.CommentError as exc:
            return render(request, "comments/correct.html", {**context, "error": str(exc), "text": text}, status=400)
        return HttpResponseRedirect(reverse("comments:correct", kwargs={"token": token}) + "?sent=1")
    pending = revisions.pending_correction(comment)
    text = pending.text if pending else comment.comment
    context.update(pending=pending, sent=request.GET.get("sent") == "1", text=text)
    return render(request, "comments/correct.html", context)


@poster_link
@require_GET
@own_comment
def yours(request: HttpRequest, token: str, comment: OrgComment) -> HttpResponse:
    """Show a poster what the site keeps about their comment, with a copy to download and erasure."""
    return render(request, "comments/yours.html", _yours_context(comment, token))


def _yours_context(comment: OrgComment, token: str, **extra) -> dict:
    erased = comment.events.filter(action=ModerationEvent.Action.ERASE).exists()
    return {
        "comment": comment,
        "token": token,
        "erased": erased,
        "retention_days": settings.ADDRESS_RETENTION_DAYS,
        "correctable_states": revisions.CORRECTABLE,
        "pending_correction": revisions.pending_correction(comment),
        **extra,
    }


@poster_link
@require_GET
@own_comment
def yours_copy(request: HttpRequest, token: str, comment: OrgComment) -> HttpResponse:
    """Download, as JSON, everything stored about the comment (see ``selectors.poster_copy``)."""
    response = JsonResponse(selectors.poster_copy(comment), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="comment-{comment.pk}.json"'
    return response


@poster_link
@require_POST
@own_comment
def yours_erase(request: HttpRequest, token: str, comment: OrgComment) -> HttpResponse:
    """Erase the comment's personal data, once the poster has ticked that they understand."""
    # The erase address answers no GET: the switcher leads to the poster's page in each language.
    back = {"language_target": lambda: reverse("comments:yours", args=[token])}
    if request.POST.get("understood") != "yes":
        error = _("Tick the box to confirm that you want your comment and your data erased.")
        return render(request, "comments/yours.html", _yours_context(comment, token, error=error, **back), status=400)
    comment = services.comment_erase(comment=comment)
    return render(request, "comments/yours.html", _yours_context(comment, token, just_erased=True, **back))


@poster_link
@require_http_methods(["GET", "POST"])
def mute(request: HttpRequest, token: str) -> HttpResponse:
    """Stop follow-up mail for one discussion."""
    if request.method == "GET":
        return render(request, "comments/mute.html", {"token": token, "done": False})
    try:
        services.comment_mute(token=token)
    except services.CommentError as exc:
        return _link_invalid(request, str(exc))
    return render(request, "comments/mute.html", {"token": token, "done": True})


def permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Redirect to a visible comment on its page (the right page of threads)."""
    comment = get_object_or_404(OrgComment.objects.visible(), pk=comment_id)
    target = comment.content_object
    if target is None:
        raise Http404
    root = OrgComment.objects.filter(pk=comment.thread_id).values_list("submit_date", flat=True).first()
    # Counted as the page lists discussions: one started by a withdrawn comment holding replies counts.
    before = selectors.listed_threads(target).filter(submit_date__lt=root).count()
    page = before // settings.COMMENTS_PAGE_SIZE + 1
    query = f"?page={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{target.get_absolute_url()}{query}#c{comment.pk}")
