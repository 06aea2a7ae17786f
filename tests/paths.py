"""Addresses in a language: English has no prefix, the others /fr/, /es/, /ru/ (campaign/urls.py)."""

from __future__ import annotations

from django.conf import settings


def in_language(path: str, language: str) -> str:
    """Return ``path`` (an English address, like /about/) as served in ``language``."""
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"
