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
from guidance.diff import SectionChange, compare_versions
from guidance.models import Document, Section, SectionText, Version
from guidance.selectors import (
    PublishedVersions,
    outdated,
    outdated_sections,
    published_versions,
    reading,
    section_history,
    section_texts,
    toc,
)


def _document_and_versions(slug: str) -> tuple[Document, PublishedVersions]:
    document = get_object_or_404(Document, slug=slug)
    return document, published_versions(document)


def _pick_version(raw: str | None, versions: PublishedVersions) -> tuple[Version | None, str]:
    """Turn a version number typed or chosen by a reader into a published original version.

    Return the version (None when none was asked for or it is not valid) and an error message.
    """
    if raw is None or raw.strip() == "":
        return None, ""
    raw = raw.strip().removeprefix("v")
    try:
        number = int(raw) if raw.isdecimal() else None
    except ValueError:  # more digits than Python converts
        number = None
    if number is None:
        return None, _("“%(value)s” is not a version number.") % {"value": raw[:20]}
    found = versions.get(number)
    if found is None:
        return None, _("There is no published version %(number)s.") % {"number": raw[:20]}
    return found, ""


def _differs(change: SectionChange) -> bool:
    return change.heading_changed or change.body_changed


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
    doc, versions, found = _find_version(slug, number, lang)
    if lang is not None and not found.is_translation:
        # /v2/en/ for an English original: one address per text.
        return redirect(found.get_absolute_url(), permanent=True)
    return render(request, "guidance/version.html", _reading_context(doc, versions, found))


@public_page
def version_print(request: HttpRequest, slug: str, number: int, lang: str | None = None) -> HttpResponse:
    """Show the full text of a version laid out for printing."""
    doc, versions, found = _find_version(slug, number, lang)
    if lang is not None and not found.is_translation:
        return redirect(found.get_print_url(), permanent=True)
    return render(request, "guidance/version_print.html", _reading_context(doc, versions, found))


@public_page
def section(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Show a section's current text, the versions it changed in, and a diff between two versions."""
    sec = get_object_or_404(Section.objects.select_related("document"), document__slug=slug, key=key)
    doc = sec.document
    versions = published_versions(doc)
    originals = versions.originals
    # The section in every published version, translations included: one query.
    texts = section_texts(sec, versions.versions)
    if not any(v.pk in texts for v in originals):
        raise Http404(_("This section is not in any published version."))

    containing = [v for v in originals if v.pk in texts]
    shown_in = versions.current if versions.current.pk in texts else containing[-1]
    text = texts[shown_in.pk]
    removed_in = None
    if shown_in != versions.current:
        removed_in = next(v for v in originals if v.number > shown_in.number and v.pk not in texts)
    history = section_history(sec, originals, texts)

    # Default diff: from the latest earlier version where the section read differently, to the shown text.
    default_from = None
    for candidate in reversed(containing):
        if candidate.number < shown_in.number and _differs(SectionChange(sec, texts[candidate.pk], text)):
            default_from = candidate
            break

    errors = []
    diff_from, error = _pick_version(request.GET.get("from"), versions)
    errors += [error] if error else []
    diff_to, error = _pick_version(request.GET.get("to"), versions)
    errors += [error] if error else []
    if not request.GET.get("from", "").strip():
        diff_from = default_from
    if not request.GET.get("to", "").strip():
        diff_to = shown_in

    notes = []
    diff = None
    if diff_from and diff_to and not errors:
        missing = [v for v in (diff_from, diff_to) if v.pk not in texts]
        for absent in missing:
            notes.append(_("Version %(number)s does not contain this section.") % {"number": absent.number})
        if diff_from == diff_to:
            notes.append(_("You chose the same version twice: choose two different versions to see what changed."))
        elif not missing:
            diff = SectionChange(sec, texts[diff_from.pk], texts[diff_to.pk])

    # The text in the reader's language where a translation has it; beside its original on request.
    translated = _translations_of_section(texts, versions, shown_in)
    reading_text = translated.get(get_language()) or text
    side_language = request.GET.get("side", "")
    side = translated.get(side_language)
    side_origin = _origin(side, texts) if side else None
    shown_translation = side or (reading_text if reading_text is not text else None)
    stale = outdated(shown_translation, _origin(shown_translation, texts), text) if shown_translation else None

    context = {
        "document": doc,
        "section": sec,
        "text": text,
        "reading": reading_text,
        "side": side,
        "side_origin": side_origin,
        "side_missing": bool(side_language) and side is None,
        "side_languages": [(code, translated[code]) for code in sorted(translated)],
        "untranslated": untranslated(request, {shown_in.language, *translated}),
        "outdated": stale,
        "shown_in": shown_in,
        "current": versions.current,
        "removed_in": removed_in,
        "history": list(reversed(history)),
        "originals": originals,
        "first_version": containing[0],
        "translations": versions.translations_of(shown_in),
        "diff_from": diff_from,
        "diff_to": diff_to,
        "diff": diff,
        "default_from": default_from,
        "errors": errors,
        "notes": notes,
    }
    return render(request, "guidance/section.html", context, status=400 if errors else 200)


def _translations_of_section(
    texts: dict[int, SectionText], versions: PublishedVersions, shown_in: Version
) -> dict[str, SectionText]:
    """Return, by language, the newest published translation of the section up to the version shown."""
    found: dict[str, SectionText] = {}
    for version in sorted(versions.versions, key=lambda v: -v.number):
        if version.is_translation and version.number <= shown_in.number and version.pk in texts:
            found.setdefault(version.language, texts[version.pk])
    return found


def _origin(translated: SectionText, texts: dict[int, SectionText]) -> SectionText | None:
    """The original text a translation was made from (its version's original, for one that does not say)."""
    by_pk = {text.pk: text for text in texts.values()}
    if translated.translated_from_id in by_pk:
        return by_pk[translated.translated_from_id]
    return texts.get(translated.version.translation_of_id)


@public_page
def compare_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the reader to the comparison of the two versions chosen in the form."""
    doc, versions = _document_and_versions(slug)
    errors = []
    a_raw, b_raw = request.GET.get("a"), request.GET.get("b")
    a, error = _pick_version(a_raw, versions)
    errors += [error] if error else []
    b, error = _pick_version(b_raw, versions)
    errors += [error] if error else []
    if a_raw is None and b_raw is None:
        context = {"document": doc, "versions": versions, "a": versions.original_text, "b": versions.current}
        return render(request, "guidance/compare_form.html", context)
    if not errors and (a is None or b is None):
        errors.append(_("Choose two versions to compare."))
    if not errors and a == b:
        errors.append(_("Choose two different versions to compare."))
    if errors:
        context = {"document": doc, "versions": versions, "a": a, "b": b, "errors": errors}
        return render(request, "guidance/compare_form.html", context, status=400)
    return redirect("guidance:compare", slug=doc.slug, a=a.number, b=b.number)


@public_page
def compare(request: HttpRequest, slug: str, a: int, b: int) -> HttpResponse:
    """Show what changed from version a to version b, section by section."""
    doc, versions = _document_and_versions(slug)
    version_a, version_b = versions.get(a), versions.get(b)
    if version_a is None or version_b is None:
        raise Http404(_("There is no such published version."))
    comparison = compare_versions(version_a, version_b)
    context = {"document": doc, "versions": versions, "comparison": comparison, "a": version_a, "b": version_b}
    return render(request, "guidance/compare.html", context)
