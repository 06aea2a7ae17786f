"""sitemap.xml: every public page in every language, unpublished versions left out."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps
from django.db.models import QuerySet
from django.urls import reverse

from campaign.organisations.models import Organisation
from guidance.models import Document, Section, Version


class Sitemap(sitemaps.Sitemap):
    """Build addresses from SITE_URL, the site's public address, not the sites framework's domain.

    Each page is listed in every language of the site (/..., /fr/..., /es/..., /ru/...), each entry
    with its alternates in the others and the English address as x-default.
    """

    i18n = True
    alternates = True
    x_default = True

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"


class StaticSitemap(Sitemap):
    priority = 0.8

    def items(self) -> list[str]:
        return ["campaign:home", "campaign:about", "campaign:organisations", "campaign:endorsers"]

    def location(self, item: str) -> str:
        return reverse(item)


class DocumentSitemap(Sitemap):
    priority = 0.9

    def items(self) -> QuerySet[Document]:
        return Document.objects.order_by("created")


class ReportSitemap(Sitemap):
    """Each document's consultation report (the page; its PDF and data files are linked from it)."""

    priority = 0.6

    def items(self) -> QuerySet[Document]:
        return Document.objects.only("slug").order_by("created")

    def location(self, item: Document) -> str:
        return reverse("campaign:report", kwargs={"slug": item.slug})


class VersionSitemap(Sitemap):
    """The full text of each published version and its translations."""

    priority = 0.7

    def items(self) -> QuerySet[Version]:
        return (
            Version.objects.published().select_related("document").order_by("document__created", "number", "language")
        )

    def lastmod(self, item: Version):
        return item.published


class VersionPrintSitemap(VersionSitemap):
    priority = 0.3

    def location(self, item: Version) -> str:
        return item.get_print_url()


class SectionSitemap(Sitemap):
    """Each section that appears in at least one published version."""

    priority = 0.6

    def items(self) -> QuerySet[Section]:
        published = Version.objects.published().filter(translation_of__isnull=True)
        return (
            Section.objects.filter(texts__version__in=published)
            .distinct()
            .select_related("document")
            .order_by("document__created", "key")
        )


class CompareSitemap(Sitemap):
    """For each document, the comparison of the original text with the current version."""

    priority = 0.7

    def items(self) -> list[tuple[str, int, int]]:
        versions = (
            Version.objects.published()
            .filter(translation_of__isnull=True)
            .select_related("document")
            .order_by("document__created", "number")
        )
        originals: dict[int, Version] = {}
        current: dict[int, Version] = {}
        for version in versions:
            if version.kind == Version.Kind.ORIGINAL:
                originals.setdefault(version.document_id, version)
            current[version.document_id] = version
        return [
            (original.document.slug, original.number, current[doc_id].number)
            for doc_id, original in originals.items()
            if current[doc_id].pk != original.pk
        ]

    def location(self, item: tuple[str, int, int]) -> str:
        slug, a, b = item
        return reverse("guidance:compare", kwargs={"slug": slug, "a": a, "b": b})


class OrganisationSitemap(Sitemap):
    priority = 0.5

    def items(self) -> QuerySet[Organisation]:
        return Organisation.objects.only("slug").order_by("name")


SITEMAPS = {
    "pages": StaticSitemap,
    "documents": DocumentSitemap,
    "reports": ReportSitemap,
    "versions": VersionSitemap,
    "print": VersionPrintSitemap,
    "sections": SectionSitemap,
    "compare": CompareSitemap,
    "organisations": OrganisationSitemap,
}
