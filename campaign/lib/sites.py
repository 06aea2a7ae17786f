"""Keep django.contrib.sites' one Site on SITE_URL, so nothing built from it says "example.com".

The site's own pages, mail, feeds and sitemap build their links from SITE_URL; the Site row is
for what reads it anyway (Django's syndication and sitemap defaults, the admin's "view on site").
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def sync_site(*, using: str = "default", **kwargs) -> None:
    """Make the Site of SITE_ID name SITE_URL's host (run after every migrate)."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc
    if domain:
        Site.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": domain})
