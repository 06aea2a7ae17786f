"""Error pages that speak to the visitor, in their language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a refused form instead of showing Django's technical page."""
    return render(request, "403_csrf.html", {}, status=403)
