"""Which language a page is in, and the links to the same page in the other languages.

The address alone says the language: English at ``/...``, French, Spanish and Russian under
``/fr/...``, ``/es/...`` and ``/ru/...`` (``i18n_patterns`` with ``prefix_default_language=False``
in ``campaign/urls.py``). No cookie and no ``Accept-Language`` header is consulted: Django's
LocaleMiddleware reads the prefix, and takes English for every address without one (the admin and
sitemap.xml included). So the reader's choice is kept by the links themselves (every link a page
makes is reversed in the page's language), one address is one page for every cache, and the site
needs no language cookie and no cookie banner.

``/`` does not redirect by ``Accept-Language``: the redirect would have to vary on that header
(shared caches keep one copy per header value, or none), a shared link would open in whatever
language the recipient's browser asks for, and a browser's setting is often not the reader's
choice (a shared phone, an office computer). The switcher is on every page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware import locale
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation


@dataclass(frozen=True)
class LanguageLink:
    """The current page in one language, for the switcher and the ``hreflang`` alternates."""

    code: str
    name: str  # in the language itself: a reader finds their language whatever the page's
    url: str  # path and query string
    absolute: str  # with scheme and host, for <link rel="alternate" hreflang>
    current: bool
    default: bool  # the language of the addresses without prefix (hreflang="x-default")
    bidi: bool


def _without_prefix(path_info: str) -> str:
    prefix = translation.get_language_from_path(path_info)
    return path_info[len(prefix) + 1 :] if prefix else path_info


def path_in(request: HttpRequest, code: str) -> str:
    """Return the path of the requested page in the language ``code`` (without its query string).

    The view's URL is reversed again in that language; an address that matched no view (a 404
    page) gets the other prefix instead.
    """
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name:
        with translation.override(code):
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                pass
    rest = _without_prefix(request.path_info).lstrip("/")
    prefix = "" if code == settings.LANGUAGE_CODE else f"{code}/"
    return f"{get_script_prefix()}{prefix}{rest}"


def language_links(request: HttpRequest, target: Callable[[], str] | None = None) -> list[LanguageLink]:
    """Return the requested page in every language of the site, the current one marked, query string kept.

    A page that answers a POST at an address that answers no GET (a form shown again with its
    errors) names in ``target`` where its switcher leads instead: a function called in each language.
    """
    current = translation.get_language()
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, _name in settings.LANGUAGES:
        info = translation.get_language_info(code)
        if target is not None:
            with translation.override(code):
                url = target()
        else:
            url = path_in(request, code) + (f"?{query}" if query else "")
        links.append(
            LanguageLink(
                code=code,
                name=info["name_local"],
                url=url,
                # From SITE_URL, as every absolute link: not from the request's Host (a cached page is shared).
                absolute=settings.SITE_URL + url,
                current=code == current,
                default=code == settings.LANGUAGE_CODE,
                bidi=info["bidi"],
            )
        )
    return links


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, without ``Vary: Accept-Language``.

    Django adds that header to every response whose address has no language prefix (here: the
    English pages), in case the language came from the header. With ``prefix_default_language=False``
    it never does, and the header would only make shared caches keep one copy per browser setting.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        if response.has_header("Vary"):
            kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
