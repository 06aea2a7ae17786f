"""Admin for coordinators until the moderation desk exists: decisions go through the services.

Emails and address hashes are never shown here, and nothing can be edited by hand:
every change of state is a service call that writes the audit log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from campaign.lib.admin_privacy import PrivateAdmin
from comments import services
from comments.models import ModerationEvent, OrgComment


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    extra = 0
    can_delete = False
    fields = ("created", "action", "old_state", "new_state", "actor", "reason", "score")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _decide(modeladmin, request, queryset, service, label) -> None:
    done = failed = 0
    for comment in queryset:
        try:
            service(comment=comment, by=request.user, reason=f"{label} in the admin")
            done += 1
        except services.InvalidTransition:
            failed += 1
    if done:
        modeladmin.message_user(request, _("%(n)d comment(s) %(label)s.") % {"n": done, "label": label})
    if failed:
        modeladmin.message_user(
            request, _("%(n)d comment(s) could not be changed from their state.") % {"n": failed}, messages.WARNING
        )


@admin.action(description=_("Approve the selected comments"), permissions=["change"])
def approve(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, services.comment_approve, "approved")


@admin.action(description=_("Reject the selected comments"), permissions=["change"])
def reject(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, services.comment_reject, "rejected")


@admin.action(description=_("Mark the selected comments as spam"), permissions=["change"])
def mark_spam(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, services.comment_mark_spam, "marked as spam")


@admin.register(OrgComment)
class OrgCommentAdmin(PrivateAdmin, admin.ModelAdmin):
    list_display = ("id", "state", "kind", "organisation_name", "country", "language", "level", "submit_date")
    list_filter = ("state", "kind", "language", "display")
    search_fields = ("comment", "organisation_name", "on_behalf_of")
    actions = [approve, reject, mark_spam]
    inlines = [ModerationEventInline]
    fields = (
        "state", "kind", "content_type", "object_pk", "parent_id", "level", "user_name", "organisation_name",
        "organisation", "city", "country", "on_behalf_of", "display", "language", "version", "comment",
        "submit_date", "confirmed_at", "spam_score", "spam_reasons",
    )  # fmt: skip
    readonly_fields = fields
    ordering = ("-submit_date",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
