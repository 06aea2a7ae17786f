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
    """Search the note's text (every published version and translation) and the published comments.

    Without parameters, the form alone; with empty words, what to type; with words the form refuses
    (too long, a null character) or a filter value it does not offer, a 400 with the form and why.
    """
    document = Document.objects.primary()
    versions = published_versions(document) if document else None
    choices = selectors.choices(document, versions) if document else selectors.Choices.empty()
    form = SearchForm(request.GET or None, choices=choices)
    valid = form.is_bound and form.is_valid()
    query = form.cleaned_data["q"] if valid else ""
    results = None
    if query and document:
        filters = form.filters()
        page_number = request.GET.get("page", 1)
        results = selectors.search(document, versions, choices, query=query, filters=filters, page_number=page_number)
    elif query:
        results = selectors.Results.none()
    context = {
        "form": form,
        "query": query,
        "results": results,
        "document": document,
        "filtered": valid and form.filters() != selectors.Filters(),
    }
    return render(request, "search/search.html", context, status=400 if form.is_bound and not valid else 200)
