"""sitemap.xml: every public page (to be completed)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["campaign:home", "campaign:about", "campaign:organisations"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": StaticSitemap}
