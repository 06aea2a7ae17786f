"""gunicorn's settings wherever the site runs (make demo, the Docker image, the benchmarks).

gunicorn reads this file from the directory it starts in. Whether it writes an access log is
left to each command line (``--access-logfile -``); what a line holds is decided here, once:

- no client address: no ``%(h)s``, and no X-Forwarded-For or other request header, since a
  poster's address can identify them (README, "Privacy"; SECURITY.md);
- no query string, referer or user agent;
- the path with the secret part of the links mailed to posters replaced by ``[token]``
  (``/comments/withdraw/[token]/``): whoever reads the log must not be able to use them.

``loglevel`` stays at ``info``: at ``debug`` gunicorn's error log names the address of a
client whose request it could not parse.
"""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

loglevel = "info"
# Time, method, path (tokens hidden), status, bytes sent, milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# The URLs whose last part is a capability mailed to a poster: confirm, withdraw, own data, mute
# (after any language prefix).
_TOKEN_PATH = re.compile(r"(/comments/(?:confirm|withdraw|yours|mute)/)[^/]+")


class RedactingLogger(Logger):
    """gunicorn's logger, with the tokens of the posters' links cut out of the logged path."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _TOKEN_PATH.sub(r"\1[token]", atoms.get("U") or "")
        return atoms


logger_class = RedactingLogger
