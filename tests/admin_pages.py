"""The admin's and the desk's pages, for the tests that read them all as staff."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import admin
from django.urls import reverse

from comments.models import OrgComment

# The desk's pages that list or show comments, organisations and decisions (comments/desk/urls.py).
DESK_PAGES = (
    "/desk/", "/desk/queue/review/", "/desk/queue/spam/", "/desk/queue/approved/", "/desk/queue/rejected/",
    "/desk/queue/withdrawn/", "/desk/log/", "/desk/keywords/", "/desk/reasons/", "/desk/organisations/",
    "/desk/export/endorsements.csv", "/desk/stats/",
)  # fmt: skip


def admin_pages(objects_per_model: int = 20) -> Iterator[str]:
    """Yield the changelist and the add form of every registered model, and each object's change form and history."""
    yield reverse("admin:index")
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{name}_changelist")
        yield reverse(f"{name}_add")
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:objects_per_model]:
            yield reverse(f"{name}_change", args=[pk])
            yield reverse(f"{name}_history", args=[pk])


def desk_pages() -> Iterator[str]:
    """Yield the desk's lists, and the history page of every comment."""
    yield from DESK_PAGES
    for pk in OrgComment.objects.order_by("pk").values_list("pk", flat=True):
        yield reverse("desk:comment-log", args=[pk])
