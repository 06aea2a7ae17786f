"""The endorsers page: who endorses the note, by country, with a chart drawn on the server."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_countries import countries

from campaign.lib.cache import public_page
from comments import languages, selectors
from comments.models import Kind
from guidance.models import Document


@dataclass
class Bar:
    label: str
    count: int
    percent: int  # of the longest bar


def bar_chart(groups: list[tuple[str, list]]) -> list[Bar]:
    """Lay out the entries per country as bars of a list, each a share of the longest.

    A list, not one drawing scaled to the screen: its labels are text at the page's size, so they
    read on a 360 px phone as on a desktop, and long country names wrap instead of shrinking.
    """
    if not groups:
        return []
    top = max(len(items) for _, items in groups)
    return [
        Bar(
            label=str(countries.name(code)) if code else "—",
            count=len(items),
            percent=max(1, round(100 * len(items) / top)),
        )
        for code, items in groups
    ]


@public_page
def endorsers(request: HttpRequest) -> HttpResponse:
    """List the organisations that endorse the note, grouped by country, with filters."""
    document = Document.objects.primary()
    if document is None:
        raise Http404
    kind = request.GET.get("kind", Kind.ENDORSE)
    kind = kind if kind in Kind.values or kind == "all" else Kind.ENDORSE
    country = request.GET.get("country", "")
    country = country if country in dict(countries) else ""
    language = request.GET.get("language", "")
    language = language if languages.is_known(language) else ""
    result = selectors.endorsements(document, kind="" if kind == "all" else kind, country=country, language=language)
    context = {
        "document": document,
        "result": result,
        "chart": bar_chart(result["groups"]),
        "kinds": Kind.choices,
        "kind": kind,
        "country": country,
        "language": language,
        "countries": list(countries),
        "languages": languages.choices(),
    }
    return render(request, "campaign/endorsers.html", context)
