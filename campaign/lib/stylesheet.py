"""The site's stylesheet, written into each page's head so a page renders in one round trip.

On a slow link a ``<link rel="stylesheet">`` costs the reader a second round trip before anything is
painted: the browser waits for the HTML, then asks for the stylesheet, then paints. The stylesheet
is small (about 4 KB gzipped), so every page carries it in a ``<style>`` element instead, allowed by
the Content-Security-Policy through the SHA-256 hash of its text (never ``'unsafe-inline'``): the
settings compute the hash from the same file the pages read, once per process.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path


@cache
def text(path: Path) -> str:
    """The stylesheet's text, read once per process."""
    css = Path(path).read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(f"{path} cannot be written into a <style> element: it holds '</'")
    return css


def csp_hash(path: Path) -> str:
    """The CSP source that allows exactly this stylesheet inline: ``'sha256-…'``."""
    digest = hashlib.sha256(text(path).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
