"""Atom feed of a document's published versions, so readers hear of each new draft."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from campaign.lib.cache import public_page
from campaign.lib.feeds import SafeAtom1Feed
from guidance.models import Document, Version


def absolute(path: str) -> str:
    """Prefix a path with the site's public address (SITE_URL), not the sites framework's domain."""
    return settings.SITE_URL + path


@method_decorator(public_page, name="__call__")
class VersionFeed(Feed):
    """Every published version of one document (translations included), newest first."""

    feed_type = SafeAtom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Document:
        return get_object_or_404(Document, slug=slug)

    def title(self, obj: Document) -> str:
        return _("%(title)s: versions") % {"title": obj.title}

    def subtitle(self, obj: Document) -> str:
        return obj.summary

    def link(self, obj: Document) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Document) -> str:
        return absolute(reverse("guidance:version-feed", kwargs={"slug": obj.slug}))

    def items(self, obj: Document) -> QuerySet[Version]:
        return (
            Version.objects.published()
            .filter(document=obj)
            .select_related("document")
            .order_by("-published", "-number", "language")
        )

    def item_title(self, item: Version) -> str:
        return _("Version %(number)s: %(label)s (%(language)s)") % {
            "number": item.number,
            "label": item.label,
            "language": item.get_language_display(),
        }

    def item_description(self, item: Version) -> str:
        # Atom readers treat the summary as HTML: escape the coordinators' plain text.
        changelog = linebreaks(item.changelog, autoescape=True) if item.changelog.strip() else ""
        return f"<p>{escape(item.label)}</p>{changelog}"

    def item_link(self, item: Version) -> str:
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item: Version):
        return item.published

    def item_updateddate(self, item: Version):
        return item.published
