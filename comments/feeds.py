"""Atom feeds of approved comments, per document and per section."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from campaign.cache import public_page
from campaign.feeds import SafeAtom1Feed
from comments.models import OrgComment
from guidance.models import Document, Section

FEED_SIZE = 50


class _CommentFeed(Feed):
    feed_type = SafeAtom1Feed

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def items(self, obj):
        return (
            OrgComment.objects.visible()
            .for_target(obj)
            .select_related("organisation")
            .order_by("-submit_date", "-id")[:FEED_SIZE]
        )

    def item_title(self, item: OrgComment) -> str:
        who = item.public_organisation or item.public_name or _("An anonymous participant")
        return f"{item.get_kind_display()}: {who}"

    def item_description(self, item: OrgComment) -> str:
        return item.comment_html

    def item_link(self, item: OrgComment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: OrgComment):
        return item.submit_date

    def item_author_name(self, item: OrgComment) -> str:
        # Plain text in Atom, escaped by the feed's writer, as on every page: shown as typed. (Stripping
        # tags from it was no protection, and Django's tag stripper raises on a name such as "a<![]>b".)
        return item.public_organisation or item.public_name or _("Anonymous participant")


@method_decorator(public_page, name="__call__")
class DocumentCommentFeed(_CommentFeed):
    def get_object(self, request, slug: str) -> Document:
        return get_object_or_404(Document, slug=slug)

    def title(self, obj: Document) -> str:
        return _("Endorsements and comments on %(title)s") % {"title": obj.title}


@method_decorator(public_page, name="__call__")
class SectionCommentFeed(_CommentFeed):
    def get_object(self, request, slug: str, key: str) -> Section:
        return get_object_or_404(Section.objects.select_related("document"), document__slug=slug, key=key)

    def title(self, obj: Section) -> str:
        return _("Comments on the section “%(key)s” of %(title)s") % {"key": obj.key, "title": obj.document.title}
