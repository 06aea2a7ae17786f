"""Atom feeds of approved comments, per document and per section."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from campaign.lib.cache import public_page
from campaign.lib.feeds import SafeAtom1Feed
from comments.models import OrgComment
from guidance.models import Document, Section

FEED_SIZE = 50


def absolute(path: str) -> str:
    """Every link of a feed from SITE_URL, never from the sites framework's domain ("example.com")."""
    return settings.SITE_URL + path


class _CommentFeed(Feed):
    feed_type = SafeAtom1Feed

    def link(self, obj) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj) -> str:
        return absolute(obj.comment_feed_url())

    def items(self, obj):
        return (
            OrgComment.objects.visible()
            .for_target(obj)
            .select_related("organisation")
            .order_by("-submit_date", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: OrgComment) -> str:
        return f"{item.get_kind_display()}: {item.signature.who}"

    def item_description(self, item: OrgComment) -> str:
        return item.comment_html

    def item_link(self, item: OrgComment) -> str:
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item: OrgComment):
        return item.submit_date

    def item_author_name(self, item: OrgComment) -> str:
        # The same signature as the pages (comments.signature), as plain text: the feed's writer escapes
        # it. (Stripping tags was no protection, and Django's tag stripper raises on "a<![]>b".)
        return item.signature.text()


@method_decorator(public_page, name="__call__")
class DocumentCommentFeed(_CommentFeed):
    def get_object(self, request, slug: str) -> Document:
        return get_object_or_404(Document, slug=slug)

    def title(self, obj: Document) -> str:
        return _("Endorsements and comments on %(title)s") % {"title": obj.title}


@method_decorator(public_page, name="__call__")
class SectionCommentFeed(_CommentFeed):
    def get_object(self, request, slug: str, key: str) -> Section:
        return get_object_or_404(Section.objects.with_title().select_related("document"), document__slug=slug, key=key)

    def title(self, obj: Section) -> str:
        return _("Comments on the section “%(heading)s” of %(title)s") % {
            "heading": obj.title,
            "title": obj.document.title,
        }
