"""Admin changes that readers see at once: the page cache forgets its pages when one commits."""

from __future__ import annotations

from django.db import transaction

from campaign.lib.cache import bump_generation


class ShownToReadersAdmin:
    """Mix into a ModelAdmin whose records appear on public pages (the note, organisations...).

    Every addition, change and deletion made through the admin is logged by these three methods,
    so bumping the page cache's generation here covers them all, inline forms and bulk deletions
    included; it happens on commit, once the change is there to be read.
    """

    def log_addition(self, request, obj, message):
        transaction.on_commit(bump_generation)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        transaction.on_commit(bump_generation)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        transaction.on_commit(bump_generation)
        return super().log_deletions(request, queryset)
