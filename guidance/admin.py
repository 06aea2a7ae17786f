"""Admin pages for coordinators: documents, versions, sections and their texts.

Section texts are read-only here: their HTML is rendered and sanitised once, by the
importer (``manage.py import_guidance``), and editing the Markdown alone would leave the
published HTML out of step with it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaign.lib.admin_cache import ShownToReadersAdmin
from campaign.lib.admin_privacy import PrivateAdmin
from guidance.models import Document, Section, SectionText, Version


class VersionInline(admin.TabularInline):
    model = Version
    fk_name = "document"
    fields = ("number", "label", "kind", "language", "published", "translation_of")
    raw_id_fields = ("translation_of",)
    extra = 0
    show_change_link = True
    ordering = ("number", "language")


@admin.register(Document)
class DocumentAdmin(PrivateAdmin, ShownToReadersAdmin, admin.ModelAdmin):
    list_display = ("title", "slug", "language", "consultation_opens", "consultation_closes", "created")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (VersionInline,)


class IsTranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("no", _("Original language")), ("yes", _("Translations"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(translation_of__isnull=True)
        if self.value() == "yes":
            return queryset.filter(translation_of__isnull=False)
        return queryset


@admin.register(Version)
class VersionAdmin(PrivateAdmin, ShownToReadersAdmin, admin.ModelAdmin):
    list_display = ("document", "number", "label", "kind", "language", "published", "translation_of")
    list_display_links = ("number", "label")
    list_filter = ("document", "kind", "language", IsTranslationFilter, "published")
    list_select_related = ("document", "translation_of__document")
    search_fields = ("label", "changelog", "document__title")
    raw_id_fields = ("translation_of",)
    date_hierarchy = "published"
    ordering = ("document", "-number", "language")


@admin.register(Section)
class SectionAdmin(PrivateAdmin, ShownToReadersAdmin, admin.ModelAdmin):
    list_display = ("key", "document", "created")
    list_filter = ("document",)
    list_select_related = ("document",)
    search_fields = ("key",)


@admin.register(SectionText)
class SectionTextAdmin(PrivateAdmin, ShownToReadersAdmin, admin.ModelAdmin):
    list_display = ("__str__", "section", "version", "position", "level")
    list_filter = ("version__document", "version")
    list_select_related = ("section__document", "version__document")
    search_fields = ("heading", "section__key")
    ordering = ("version", "position")
    fields = ("version", "section", "position", "number", "heading", "level", "body_markdown", "rendered")
    readonly_fields = fields

    @admin.display(description=_("body as published (sanitised HTML)"))
    def rendered(self, obj: SectionText) -> str:
        # Shown as source, escaped: the admin is no place to run a section's markup.
        return format_html("<pre>{}</pre>", obj.body_html)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SectionText | None = None) -> bool:
        return False
