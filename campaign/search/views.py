"""The search page: a GET form, its results, and what to do when there are none."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaign.lib.cache import public_page
from campaign.search import selectors
from campaign.search.forms import MAX_QUERY, SearchForm
from guidance.models import Document
from guidance.selectors import published_versions

#: What the page cache may store the search page under, besides what every page reads (``page``...):
#: the words as the form leaves them (one space between words, none around, at most MAX_QUERY
#: characters), and each filter, empty when the form sends it unset.
PARAMETERS = {
    "q": rf"(?=.{{0,{MAX_QUERY}}}\Z)(?:[^\s\x00-\x1f\x7f-\x9f]+(?: [^\s\x00-\x1f\x7f-\x9f]+)*)?",
    "section": r"[a-z0-9-]{0,100}",
    "kind": r"[a-z]{0,12}",
    "language": r"(?:[a-z]{2,3}(?:-[a-z0-9]{2,8})?)?",
    "country": r"(?:[A-Z]{2})?",
}


@public_page(parameters=PARAMETERS)
def search(request: HttpRequest) -> HttpResponse:
    """Search the note's text (every published version and translation) and the published comments."""
    document = Document.objects.primary()
    versions = published_versions(document) if document else None
    choices = selectors.choices(document, versions) if document else None
    form = SearchForm(request.GET or None, choices=choices or selectors.Choices([], [], [], [], {}, {}))
    results, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data["q"] and document:
        results = selectors.search(
            document,
            versions,
            choices,
            query=form.cleaned_data["q"],
            filters=form.filters(),
            page_number=request.GET.get("page", 1),
        )
    context = {
        "form": form,
        "query": form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else "",
        "results": results,
        "document": document,
        "max_query": MAX_QUERY,
        "filtered": form.is_bound and form.is_valid() and any(vars(form.filters()).values()),
    }
    return render(request, "search/search.html", context, status=status)
