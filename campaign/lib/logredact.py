"""Cut the tokens of the links mailed to posters out of every log record.

Django logs the full path of a request it answers with a 4xx (a cookie-less Confirm, a wrong
method, a refused erasure, a rate-limited confirmation...): with a poster's live confirmation,
withdraw, data or erase link in it, or a subscriber's confirm, manage or unsubscribe link, whoever
reads the log could use that link. ``RedactTokens`` is
a filter on every handler in ``LOGGING``; it replaces the token in every text of the record (its
message with its arguments, its exception and stack, every other text field) by ``[token]``, and
gives the handlers a copy of the request whose path is redacted the same way.
"""

from __future__ import annotations

import copy
import logging
import re

TOKEN_PATH = re.compile(
    r"(/(?:comments/(?:confirm|withdraw|yours|mute|correct)|subscriptions/(?:confirm|manage|unsubscribe))/)[^/\s?#'\"<>]+"
)
# A token as a value in the repr of a mapping (a template's context in django.template's debug log).
TOKEN_VALUE = re.compile(r"""(['"]token['"]:\s*['"])[^'"]+""")
REQUEST_PATH_KEYS = ("PATH_INFO", "REQUEST_URI", "RAW_URI", "QUERY_STRING")


def redact(text: str) -> str:
    """Return ``text`` with the token of every poster's link replaced by ``[token]``."""
    return TOKEN_VALUE.sub(r"\1[token]", TOKEN_PATH.sub(r"\1[token]", text))


class RedactTokens(logging.Filter):
    """A handler filter: the record goes on, without the tokens (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Merge the arguments first: a token can hide in any argument's str() or repr().
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for key, value in list(vars(record).items()):
            if isinstance(value, str):
                setattr(record, key, redact(value))
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            record.request = redacted_request(request)
        return True


def redacted_request(request):
    """Return a shallow copy of a request with its path redacted (the view's own request is left alone)."""
    shown = copy.copy(request)
    shown.path, shown.path_info = redact(request.path), redact(request.path_info)
    meta = getattr(request, "META", None)
    if isinstance(meta, dict):
        shown.META = {**meta, **{key: redact(str(meta[key])) for key in REQUEST_PATH_KEYS if key in meta}}
    return shown
