"""Pages rendered to PDF on the server (WeasyPrint), without the network.

A page's HTML is laid out with its print styles. Whatever it refers to is fetched by the fetcher
``static_only_fetcher`` makes: the site's own static files, read from disk, and nothing else, so
rendering never opens a connection, to another host or to the site itself.

WeasyPrint is imported at the first PDF, not with the site: it loads Pango and HarfBuzz, about 40 MiB
and two seconds of start-up in every web process, for a page few readers ask for (and a machine
without Pango still serves every other page).
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

log = logging.getLogger(__name__)


class Refused(ValueError):
    """A URL the renderer may not fetch: anything but the site's own static files."""


def static_file(path: str) -> Path | None:
    """The file on disk behind a static URL's path (``/static/css/site.css``), or None.

    The finders' first (the sources, as in development and tests, where a collected copy may be old),
    then the collected files (the hashed names of production, which only they have).
    """
    if not path.startswith(settings.STATIC_URL):
        return None
    name = unquote(path.removeprefix(settings.STATIC_URL))
    if not name or name.startswith("/") or ".." in Path(name).parts:
        return None
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    return Path(staticfiles_storage.path(name)) if staticfiles_storage.exists(name) else None


@functools.cache
def _fetcher_class():
    """The fetcher's class, made once WeasyPrint is imported (at the first PDF)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # heavy: imported when a PDF is asked for

    class StaticOnlyFetcher(URLFetcher):
        """Serve the site's static files from disk; refuse every other URL without touching the network."""

        def __init__(self, base_url: str) -> None:
            super().__init__(allowed_protocols=())
            self.origin = urlsplit(base_url)[:2]

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            found = static_file(parts.path) if (parts.scheme, parts.netloc) == self.origin else None
            if found is None or not found.is_file():
                log.warning("PDF rendering refused to fetch %s", url[:200])
                raise Refused(f"not one of the site's static files: {url[:200]}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=found.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher


def static_only_fetcher(base_url: str):
    """A WeasyPrint URL fetcher that reads the site's static files under ``base_url`` and refuses the rest."""
    return _fetcher_class()(base_url)


def render_pdf(html: str) -> bytes:
    """Lay out a page's HTML as a PDF with its print styles; links in it lead to the site's public address."""
    from weasyprint import HTML  # heavy: imported when a PDF is asked for

    base_url = settings.SITE_URL + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=static_only_fetcher(base_url)).write_pdf()
