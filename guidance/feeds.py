"""Atom feed of new versions (to be written)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed


class VersionFeed(Feed):
    feed_type = Atom1Feed
    title = "Versions"
    link = "/"

    def items(self):
        return []
