"""The languages a comment may be written in, and the language of the mail its poster gets.

The site speaks four languages (``settings.LANGUAGES``), but posters write in many more: a comment
may be in any language Django knows (Arabic, Portuguese, Swahili, Thai...). Their names come from
Django's own catalogues, so they read in the reader's language. Mail, though, can only be written
in a language of the site: a comment in Arabic gets its mail in the language of the pages its
poster used.
"""

from __future__ import annotations

from django.conf import global_settings, settings
from django.utils.translation import get_language_info, gettext

#: Every language Django knows, by code: {code: English name}.
KNOWN = dict(global_settings.LANGUAGES)


def interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def name(code: str) -> str:
    """Return the language's name in the active language ('' for an unknown code)."""
    english = KNOWN.get(code) or dict(settings.LANGUAGES).get(code)
    return gettext(str(english)) if english else ""


def choices() -> list[tuple[str, str]]:
    """Return (code, name) for every language a comment may be in: the site's first, then the others by name.

    Called where the choices are needed (model validation, each form), so the names are in the
    language of the page.
    """
    site = interface_languages()
    others = sorted((code for code in KNOWN if code not in site), key=lambda code: name(code).casefold())
    return [(code, name(code)) for code in [*site, *others]]


def is_known(code: str) -> bool:
    return code in KNOWN or code in interface_languages()


def is_rtl(code: str) -> bool:
    """Say whether the language is written right to left (Arabic, Hebrew, Persian, Urdu...)."""
    try:
        return bool(get_language_info(code)["bidi"])
    except KeyError:
        return False


def mail_language(comment_language: str, page_language: str | None = None) -> str:
    """Return the language a poster's mail is written in.

    The comment's own language when the site speaks it; otherwise the language of the page the
    poster posted from; otherwise the site's default.
    """
    site = interface_languages()
    for candidate in (comment_language, page_language):
        if candidate in site:
            return candidate
    return settings.LANGUAGE_CODE
