"""Values every template may use."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Expose the languages and the site's public address to templates."""
    return {"SITE_URL": settings.SITE_URL, "LANGUAGES": settings.LANGUAGES}
