"""Site-wide pages: home, about, organisations."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from campaign.models import Organisation
from guidance.models import Document, SectionText


def home(request: HttpRequest) -> HttpResponse:
    """Present the campaign and the current version's contents."""
    document = Document.objects.primary()
    current = document.current_version() if document else None
    toc = list(SectionText.objects.for_toc(current)) if current else []
    return render(request, "campaign/home.html", {"document": document, "current": current, "toc": toc})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "campaign/about.html", {})


def organisations(request: HttpRequest) -> HttpResponse:
    """List the organisations taking part, verified ones marked."""
    orgs = Organisation.objects.only("name", "slug", "country", "city", "network", "verified_at")
    return render(request, "campaign/organisations.html", {"organisations": orgs})


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=slug)
    return render(request, "campaign/organisation.html", {"organisation": org})
