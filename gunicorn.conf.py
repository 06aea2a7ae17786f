"""gunicorn's settings wherever the site runs (make demo, the Docker image, the benchmarks).

gunicorn reads this file from the directory it starts in. Whether it writes an access log is
left to each command line (``--access-logfile -``); what a line holds is decided here, once:

- no client address: no ``%(h)s``, and no X-Forwarded-For or other request header, since a
  poster's address can identify them (README, "Privacy"; SECURITY.md);
- no query string, referer or user agent;
- the path with the secret part of the links mailed to posters and subscribers replaced by
  ``[token]`` (``/comments/withdraw/[token]/``, ``/subscriptions/unsubscribe/[token]/``): whoever
  reads the log must not be able to use them.

gunicorn's error log names the address of a client whose request it could not parse
("Invalid request from ip=..."), at warning; every error-log line passes through a filter that
replaces any IPv4 or IPv6 address with ``[address]`` and hides the same tokens, whatever the level.

The request line and headers are bounded (the bodies are bounded by Django: settings.py, "Request
size"): the longest address the site makes is a mailed link or a search, well under 2 KiB, and a
browser sends about twenty headers.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

loglevel = "info"
limit_request_line = 2048
limit_request_fields = 50
# Time, method, path (tokens hidden), status, bytes sent, milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# The URLs whose last part is a capability mailed to a poster (confirm, withdraw, own data, mute, correct)
# or to a subscriber of news by email (confirm, manage, unsubscribe), after any language prefix.
_TOKEN_PATH = re.compile(
    r"(/(?:comments/(?:confirm|withdraw|yours|mute|correct)|subscriptions/(?:confirm|manage|unsubscribe))/)[^/]+"
)
# Anything that looks like an IPv4 address, or an IPv6 one (at least two colons between hex groups).
_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")


class _WithoutAddresses(logging.Filter):
    """Rewrite an error-log record without client addresses or posters' tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = _TOKEN_PATH.sub(r"\1[token]", record.getMessage())
        record.msg, record.args = _ADDRESS.sub("[address]", message), ()
        return True


class RedactingLogger(Logger):
    """gunicorn's logger: the tokens of the posters' links cut out of the logged path, no address in the error log."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.error_log.addFilter(_WithoutAddresses())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN_PATH.sub(r"\1[token]", atoms.get("U") or "")
        return atoms


logger_class = RedactingLogger
