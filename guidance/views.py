"""Public pages of the Guidance Note: a document, its versions, its sections and comparisons.

Every page runs a fixed number of queries, whatever the number of sections or versions.
Unpublished versions (no publication date, or one in the future) do not exist for the public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from campaign.lib.cache import public_page
from campaign.lib.i18n import LanguageLink, language_links
from guidance.diff import compare_versions
from guidance.models import Document, Section, Version
from guidance.selectors import (
    PublishedVersions,
    SectionQuery,
    outdated_sections,
    pick_version,
    published_versions,
    reading,
    section_comparison,
    section_page,
    toc,
    version_responses,
)


def _side_by_side(request: HttpRequest) -> bool:
    """Say whether a comparison form asked for the changes side by side (its box ``view=side``)."""
    return request.GET.get("view") == "side"


def _document_and_versions(slug: str) -> tuple[Document, PublishedVersions]:
    document = get_object_or_404(Document, slug=slug)
    return document, published_versions(document)


@dataclass(frozen=True)
class Untranslated:
    """The page's language has no translation of the text: the languages it can be read in, as links."""

    language: str  # the page's language, named in itself
    elsewhere: list[LanguageLink]


def untranslated(request: HttpRequest, languages: set[str] | None) -> Untranslated | None:
    """Say so when the text shown exists in ``languages`` and the page's language is not one of them."""
    here = get_language()
    if not languages or here in languages:
        return None
    links = [link for link in language_links(request) if link.code in languages]
    return Untranslated(language=get_language_info(here)["name_translated"], elsewhere=links)


@public_page
def document(request: HttpRequest, slug: str) -> HttpResponse:
    """Present the document: summary, consultation window, versions and current contents."""
    doc, versions = _document_and_versions(slug)
    current = versions.current
    original = versions.original_text
    reading = versions.translation_in(current, get_language()) or current
    context = {
        "document": doc,
        "versions": versions,
        "current": current,
        "reading": reading,
        "original": original,
        "toc": toc(reading),
        "untranslated": untranslated(
            request, {v.language for v in versions.languages_of(current)} if current else None
        ),
        "show_compare": bool(original and current and original.pk != current.pk),
    }
    return render(request, "guidance/document.html", context)


def _reading_context(doc: Document, versions: PublishedVersions, version: Version) -> dict:
    """Build the context the full text and the print view share."""
    current = versions.current
    newer = None
    if current and current.number > version.number:
        in_language = [v for v in versions.languages_of(current) if v.language == version.language]
        newer = in_language[0] if in_language else current
    sections = reading(version)
    if version.is_translation:
        stale = outdated_sections(sections, current, versions)
        for text in sections:
            text.outdated = stale.get(text.section_id)
    return {
        "document": doc,
        "version": version,
        "versions": versions,
        "current": current,
        "newer": newer,
        "source": version.translation_of if version.is_translation else version,
        "languages": versions.languages_of(version),
        "sections": sections,
    }


def _find_version(slug: str, number: int, lang: str | None) -> tuple[Document, PublishedVersions, Version]:
    doc, versions = _document_and_versions(slug)
    found = versions.get(number, lang)
    if found is None:
        raise Http404(_("There is no such published version."))
    return doc, versions, found


@public_page
def version(request: HttpRequest, slug: str, number: int, lang: str | None = None) -> HttpResponse:
    """Show the full text of a version, one anchor per section."""
    return _version_page(request, slug, number, lang, "guidance/version.html", Version.get_absolute_url, responses=True)


@public_page
def version_print(request: HttpRequest, slug: str, number: int, lang: str | None = None) -> HttpResponse:
    """Show the full text of a version laid out for printing."""
    return _version_page(request, slug, number, lang, "guidance/version_print.html", Version.get_print_url)


def _version_page(
    request: HttpRequest, slug: str, number: int, lang: str | None, template: str, address, *, responses=False
) -> HttpResponse:
    doc, versions, found = _find_version(slug, number, lang)
    if lang is not None and not found.is_translation:
        # /v2/en/ for an English original: one address per text.
        return redirect(address(found), permanent=True)
    context = _reading_context(doc, versions, found)
    if responses:
        # What the version took up of readers' amendments (their original's, for a translation).
        context["responses"] = version_responses(found.translation_of if found.is_translation else found)
    return render(request, template, context)


@public_page
def section(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Show a section's current text, the versions it changed in, and a diff between two versions."""
    sec = get_object_or_404(Section.objects.select_related("document"), document__slug=slug, key=key)
    asked = SectionQuery(
        diff_from=request.GET.get("from"), diff_to=request.GET.get("to"), side=request.GET.get("side", "")
    )
    page = section_page(sec, asked, language=get_language())
    if page is None:
        raise Http404(_("This section is not in any published version."))
    if page.diff is not None and _side_by_side(request):
        # The form's "side by side" box: the same two versions on the section's side-by-side page.
        return redirect(
            "guidance:section-compare-side", slug=slug, key=key, a=page.diff_from.number, b=page.diff_to.number
        )
    context = {**page.context(), "untranslated": untranslated(request, page.languages)}
    return render(request, "guidance/section.html", context, status=400 if page.errors else 200)


@public_page
def compare_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the reader to the comparison of the two versions chosen in the form."""
    doc, versions = _document_and_versions(slug)
    errors = []
    a_raw, b_raw = request.GET.get("a"), request.GET.get("b")
    a, error = pick_version(a_raw, versions)
    errors += [error] if error else []
    b, error = pick_version(b_raw, versions)
    errors += [error] if error else []
    side = _side_by_side(request)
    if a_raw is None and b_raw is None:
        context = {"document": doc, "versions": versions, "a": versions.original_text, "b": versions.current}
        return render(request, "guidance/compare_form.html", context)
    if not errors and (a is None or b is None):
        errors.append(_("Choose two versions to compare."))
    if not errors and a == b:
        errors.append(_("Choose two different versions to compare."))
    if errors:
        context = {"document": doc, "versions": versions, "a": a, "b": b, "errors": errors, "side_by_side": side}
        return render(request, "guidance/compare_form.html", context, status=400)
    return redirect("guidance:compare-side" if side else "guidance:compare", slug=doc.slug, a=a.number, b=b.number)


@public_page
def compare(request: HttpRequest, slug: str, a: int, b: int, side: bool = False) -> HttpResponse:
    """Show what changed from version a to version b, section by section: inline, or side by side."""
    doc, versions = _document_and_versions(slug)
    version_a, version_b = versions.get(a), versions.get(b)
    if version_a is None or version_b is None:
        raise Http404(_("There is no such published version."))
    comparison = compare_versions(version_a, version_b)
    context = {
        "document": doc,
        "versions": versions,
        "comparison": comparison,
        "a": version_a,
        "b": version_b,
        "side_by_side": side,
    }
    return render(request, "guidance/compare.html", context)


@public_page
def section_compare(request: HttpRequest, slug: str, key: str, a: int, b: int) -> HttpResponse:
    """Show one section in version a beside version b, with the words removed and added marked."""
    sec = get_object_or_404(Section.objects.select_related("document"), document__slug=slug, key=key)
    found = section_comparison(sec, a, b)
    if found is None:
        raise Http404(_("There is no such published version of this section."))
    return render(request, "guidance/section_compare.html", found.context())
