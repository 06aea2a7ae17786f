"""The languages a comment may be written in, and the language of the mail its poster gets.

The site speaks four languages (``settings.LANGUAGES``), but posters write in many more: a comment
may be in any language Django knows (Arabic, Portuguese, Swahili, Thai...). Their names come from
Django's own catalogues, so they read in the reader's language. Mail, though, can only be written
in a language of the site: a comment in Arabic gets its mail in the language of the pages its
poster used.
"""

from __future__ import annotations

import functools
import re

from django.conf import global_settings, settings
from django.utils.translation import get_language_info, gettext
from py3langid.langid import MODEL_FILE, LanguageIdentifier

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


#: Below this probability the detection keeps the fallback (the page's language): a wrong label
#: would mark the text up for the wrong screen reader voice and count it in the wrong language.
DETECT_MIN_PROBABILITY = 0.8
#: A text with fewer letters than this that the whole model is unsure of is told apart among the site's
#: languages: a few words ("Nous soutenons.", "Apoyamos.") are too little to choose among 140
#: languages, but enough among four.
DETECT_SHORT_LETTERS = 60
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@functools.cache
def _identifier(*, site_only: bool) -> LanguageIdentifier:
    """py3langid's model, shipped inside its package (nothing is downloaded), loaded once per process."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if site_only:
        identifier.set_languages(interface_languages())
    return identifier


def detect(text: str, *, fallback: str) -> str:
    """Return the language a text is written in, as a code a comment may have, or ``fallback``.

    ``fallback`` stands when the text is too short or too mixed for a confident answer, or is in a
    language Django does not name. Links are left out (their words are not the poster's language).
    """
    text = _LINK.sub(" ", text)
    letters = sum(ch.isalpha() for ch in text)
    if letters == 0:
        return fallback
    code, probability = _identifier(site_only=False).classify(text)
    if probability >= DETECT_MIN_PROBABILITY and is_known(code):
        return code
    if letters < DETECT_SHORT_LETTERS:
        code, probability = _identifier(site_only=True).classify(text)
        if probability >= DETECT_MIN_PROBABILITY:
            return code
    return fallback
