"""Admin pages for coordinators: organisations and their verification.

The admin is a ``PrivateAdmin``: no
email, address hash or token is listed, searched, sorted, filtered or shown (campaign/lib/admin_privacy.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.lib.admin_cache import ShownToReadersAdmin
from campaign.lib.admin_privacy import PrivateAdmin, WriteOnlyAddress
from campaign.organisations.models import Organisation


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", _("Verified")), ("no", _("Not verified"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


class OrganisationForm(WriteOnlyAddress, forms.ModelForm):
    write_only_field = "contact_email"

    class Meta:
        model = Organisation
        fields = ["name", "slug", "city", "country", "website", "network", "description", "members"]


@admin.register(Organisation)
class OrganisationAdmin(PrivateAdmin, ShownToReadersAdmin, admin.ModelAdmin):
    # contact_email is private: it can be replaced or forgotten on the change form, never read.
    form = OrganisationForm
    list_display = ("name", "city", "country", "network", "is_verified", "verified_at", "verified_by")
    list_filter = (VerifiedFilter, "country")
    list_select_related = ("verified_by",)
    search_fields = ("name", "city", "network")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("verified_at", "verified_by")
    filter_horizontal = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "city", "country", "website", "network", "description")}),
        (_("Private"), {"fields": ("new_address", "forget_address", "members")}),
        (_("Verification"), {"fields": ("verified_at", "verified_by")}),
    )
    actions = ("mark_verified", "mark_unverified")

    @admin.display(boolean=True, description=_("verified"), ordering="verified_at")
    def is_verified(self, obj: Organisation) -> bool:
        return obj.is_verified

    @admin.action(description=_("Mark the selected organisations as verified"))
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        count = queryset.filter(verified_at__isnull=True).update(verified_at=timezone.now(), verified_by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d organisation verified.", "%(count)d organisations verified.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw the verification of the selected organisations"))
    def mark_unverified(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        count = queryset.filter(verified_at__isnull=False).update(verified_at=None, verified_by=None)
        self.message_user(
            request,
            ngettext("%(count)d organisation no longer verified.", "%(count)d organisations no longer verified.", count)
            % {"count": count},
            messages.SUCCESS,
        )
