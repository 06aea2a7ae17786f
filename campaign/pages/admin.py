"""Admin pages for Django's own records: members' accounts, groups and the Site.

Every admin here is a ``PrivateAdmin``: no email, address hash or token is listed, searched,
sorted, filtered or shown (campaign/lib/admin_privacy.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, User
from django.contrib.sites.admin import SiteAdmin
from django.contrib.sites.models import Site
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from campaign.lib.admin_privacy import PrivateAdmin, WriteOnlyAddress


class MemberChangeForm(WriteOnlyAddress, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        fields = ["username", "first_name", "last_name", "is_active", "is_staff", "is_superuser", "groups",
                  "user_permissions", "last_login", "date_joined"]  # fmt: skip


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister(Site)


@admin.register(User)
class MemberAdmin(PrivateAdmin, UserAdmin):
    """Django's user admin without the email (a member posts with it) and without the password's hash."""

    form = MemberChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password_form")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "new_address", "forget_address")}),
        *UserAdmin.fieldsets[2:],
    )
    readonly_fields = ("password_form", "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "is_staff")
    search_fields = ("username", "first_name", "last_name")

    @admin.display(description=_("password"))
    def password_form(self, obj: User) -> str:
        return format_html('<a href="../password/">{}</a>', _("Set a new password"))


@admin.register(Group)
class CoordinatorGroupAdmin(PrivateAdmin, GroupAdmin):
    pass


@admin.register(Site)
class PrivateSiteAdmin(PrivateAdmin, SiteAdmin):
    pass
