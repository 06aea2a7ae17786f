"""Site-wide pages: home, about, organisations, the consultation report; robots.txt and the favicon's old address."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from campaign.lib.cache import public_page
from campaign.organisations.models import Organisation
from campaign.pages import pdf
from campaign.pages.report import LICENCE, as_json, consultation_report, csv_rows
from comments.selectors import by_organisation, endorsement_counts
from guidance.models import Document
from guidance.selectors import published_versions, toc

# Public fields only: contact_email is never loaded for a public page.
PUBLIC_ORGANISATION_FIELDS = ("name", "slug", "country", "city", "website", "network", "description", "verified_at")


@public_page
def home(request: HttpRequest) -> HttpResponse:
    """Present the campaign, the current version's contents and the consultation window."""
    document = Document.objects.primary()
    versions = published_versions(document) if document else None
    current = versions.current if versions else None
    original = versions.original_text if versions else None
    # The current version in the reader's language when it has been translated into it.
    reading = (versions.translation_in(current, get_language()) if versions else None) or current
    context = {
        "document": document,
        "current": current,
        "reading": reading,
        "original": original,
        "show_compare": bool(original and current and original.pk != current.pk),
        "translations": versions.translations_of(current) if current else [],
        "toc": toc(reading),
        "counts": endorsement_counts(document) if current else None,
    }
    return render(request, "campaign/home.html", context)


@public_page
def about(request: HttpRequest) -> HttpResponse:
    """Explain who publishes the note, how comments are moderated and what the site keeps."""
    return render(request, "campaign/about.html", {})


@public_page
def organisations(request: HttpRequest) -> HttpResponse:
    """List the organisations taking part, verified ones marked."""
    orgs = Organisation.objects.only("name", "slug", "country", "city", "network", "verified_at").order_by("name")
    return render(request, "campaign/organisations.html", {"organisations": orgs})


@public_page
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """Show an organisation's public details (never its private contact data)."""
    org = get_object_or_404(Organisation.objects.only(*PUBLIC_ORGANISATION_FIELDS), slug=slug)
    context = {"organisation": org, "entries": by_organisation(org)}
    return render(request, "campaign/organisation.html", context)


@public_page
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The consultation report of a document: figures by section, endorsers by region, a page of the
    amendments (``?page=``), changes."""
    report = consultation_report(slug, page=request.GET.get("page", 1))
    return render(request, "campaign/report.html", {"report": report, "licence": LICENCE})


def _file_name(slug: str, extension: str) -> str:
    return f"{slug}-report-{get_language()}.{extension}"


def _licensed(response: HttpResponse, disposition: str, name: str) -> HttpResponse:
    """Say the data's licence in a header too (RFC 8288), where any client can read it without parsing the file."""
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@public_page
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The report's page laid out for print, as a PDF rendered here (cached like the page)."""
    context = {"report": consultation_report(slug), "licence": LICENCE, "for_pdf": True}
    document = pdf.render_pdf(render_to_string("campaign/report.html", context, request=request))
    return _licensed(HttpResponse(document, content_type="application/pdf"), "attachment", _file_name(slug, "pdf"))


@public_page
def report_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The report's public data as one CSV table; every row names the licence."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    csv.writer(response).writerows(csv_rows(consultation_report(slug)))
    return _licensed(response, "attachment", _file_name(slug, "csv"))


@public_page
def report_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The report's public data as JSON, its licence under "licence"."""
    data = json.dumps(as_json(consultation_report(slug)), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    return _licensed(response, "attachment", _file_name(slug, "json"))


#: What robots may not crawl, in every language: the coordinators' pages, the comment and subscription
#: pages, whose links carry secret tokens (such a page must never be kept by a search engine, whoever
#: shares it), and the search page, whose endless addresses hold nothing the sitemap's pages do not.
ROBOTS_DISALLOWED = ("/desk/", "/comments/", "/subscriptions/", "/search/")


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: the private paths, and where the sitemap is."""
    prefixes = [""] + [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    lines = ["User-agent: *", "Disallow: /admin/"]
    lines += [f"Disallow: {prefix}{path}" for prefix in prefixes for path in ROBOTS_DISALLOWED]
    lines.append(f"Sitemap: {settings.SITE_URL}/sitemap.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/favicon.ico, which browsers and feed readers ask for without reading the page: the site's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
