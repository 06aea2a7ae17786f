"""Template tags that put threads and the comment form on any page that takes comments."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from comments import selectors
from comments.forms import OrgCommentForm
from guidance.models import Document, Section

register = template.Library()


def _since_url(target, version_number: int, current_number: int) -> str:
    if isinstance(target, Section):
        return f"{target.get_absolute_url()}?from={version_number}&to={current_number}"
    if isinstance(target, Document):
        return reverse("guidance:compare", kwargs={"slug": target.slug, "a": version_number, "b": current_number})
    return ""


def _feed_url(target) -> str:
    if isinstance(target, Section):
        return reverse("comments:section-feed", kwargs={"slug": target.document.slug, "key": target.key})
    if isinstance(target, Document):
        return reverse("comments:document-feed", kwargs={"slug": target.slug})
    return ""


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comments_for(context, target, current_version=None):
    """Render a target's approved threads (one page of them) and the form to post."""
    request = context["request"]
    newest_first = request.GET.get("order") == "newest"
    result = selectors.thread_page(
        target,
        page_number=request.GET.get("page", 1),
        newest_first=newest_first,
        per_page=settings.COMMENTS_PAGE_SIZE,
    )
    current_number = current_version.number if current_version else None
    for comment in result.comments:
        comment.since_url = ""
        if comment.version_id and current_number and comment.version.number != current_number:
            comment.since_url = _since_url(target, comment.version.number, current_number)
    initial = {"version": current_version.pk} if current_version else {}
    return {
        "request": request,
        "target": target,
        "thread": result,
        "newest_first": newest_first,
        "max_level": settings.COMMENTS_XTD_MAX_THREAD_LEVEL,
        "form": OrgCommentForm(target, initial=initial),
        "feed_url": _feed_url(target),
        "current_version": current_version,
    }
