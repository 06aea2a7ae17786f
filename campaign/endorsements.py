"""The endorsers page: who endorses the note, by country, with a chart drawn on the server."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django_countries import countries

from campaign.cache import public_page
from comments import languages, selectors
from comments.models import Kind
from guidance.models import Document

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 560


@dataclass
class Bar:
    label: str
    count: int
    y: int
    width: int
    text_y: int
    count_x: int


def bar_chart(groups: list[tuple[str, list]]) -> dict:
    """Lay out a horizontal bar chart of counts per country as plain numbers for an SVG template."""
    if not groups:
        return {"bars": [], "height": 0, "width": CHART_WIDTH}
    top = max(len(items) for _, items in groups)
    room = CHART_WIDTH - LABEL_WIDTH - 40
    bars = []
    for index, (code, items) in enumerate(groups):
        width = max(2, round(room * len(items) / top))
        y = index * (BAR_HEIGHT + 6)
        bars.append(
            Bar(
                label=str(countries.name(code)) if code else "—",
                count=len(items),
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT - 6,
                count_x=LABEL_WIDTH + width + 6,
            )
        )
    return {
        "bars": bars,
        "height": len(bars) * (BAR_HEIGHT + 6),
        "width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


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
