"""Writes to organisations: verification by a coordinator (merging two records moves comments too:
comments.desk_services.organisation_merge).

The verified badge is shown on public pages beside the organisation's comments, so every
change here tells the page cache, on commit, which pages to drop.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from campaign.lib.cache import bump_generation
from campaign.organisations.models import Organisation


class OrganisationError(Exception):
    """A change to organisations that cannot be made; str() is shown to the coordinator."""


def organisation_verify(*, organisation: Organisation, by: AbstractBaseUser) -> Organisation:
    """Mark an organisation as verified by a coordinator (once: verifying again keeps the first record)."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.verified_at is None:
            locked.verified_at = timezone.now()
            locked.verified_by = by
            locked.save(update_fields=["verified_at", "verified_by"])
            _invalidate_pages_of(locked.pk)
    return locked


def organisation_unverify(*, organisation: Organisation, by: AbstractBaseUser) -> Organisation:
    """Withdraw an organisation's verification; its comments lose the badge."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.verified_at is not None:
            locked.verified_at = None
            locked.verified_by = None
            locked.save(update_fields=["verified_at", "verified_by"])
            _invalidate_pages_of(locked.pk)
    return locked


def _invalidate_pages_of(organisation_id: int) -> None:
    """Drop every cached page on commit: the badge shows beside the organisation's comments, which can be
    on any page (one site-wide generation, campaign.lib.cache)."""
    transaction.on_commit(bump_generation)
