"""Writes to organisations: verification by a coordinator, and merging a duplicate into the original.

The verified badge is shown on public pages beside the organisation's comments, so every
change here tells the page cache, on commit, which pages to drop.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.organisations.models import Organisation

# Public fields a merge copies from the duplicate when the organisation kept has none.
# contact_email is private and stays as it is: a coordinator copies it by hand if it is right.
MERGED_PUBLIC_FIELDS = ("country", "city", "website", "network", "description")


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


def organisation_merge(*, keep: Organisation, duplicate: Organisation, by: AbstractBaseUser) -> Organisation:
    """Move the duplicate's comments and members to ``keep``, fill its empty public fields, delete the duplicate.

    All or nothing. A verified duplicate passes its verification to an unverified ``keep``:
    both records name the same organisation.
    """
    from comments.models import OrgComment

    if keep.pk == duplicate.pk:
        raise OrganisationError(_("Choose two different organisations."))
    with transaction.atomic():
        # Lock both rows in a fixed order, so two merges of the same pair cannot deadlock.
        locked = {o.pk: o for o in Organisation.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])}
        if len(locked) != 2:
            raise OrganisationError(_("One of these organisations no longer exists."))
        kept, gone = locked[keep.pk], locked[duplicate.pk]
        changed = []
        for name in MERGED_PUBLIC_FIELDS:
            if not getattr(kept, name) and getattr(gone, name):
                setattr(kept, name, getattr(gone, name))
                changed.append(name)
        if kept.verified_at is None and gone.verified_at is not None:
            kept.verified_at, kept.verified_by_id = gone.verified_at, gone.verified_by_id
            changed += ["verified_at", "verified_by"]
        if changed:
            kept.save(update_fields=changed)
        OrgComment.objects.filter(organisation_id=gone.pk).update(organisation_id=kept.pk)
        kept.members.add(*gone.members.all())
        gone.delete()
        _invalidate_pages_of(kept.pk)
    return kept


def _invalidate_pages_of(organisation_id: int) -> None:
    """Queue, on commit, the invalidation of every page that shows a comment of this organisation."""
    from comments.models import OrgComment
    from comments.services import invalidate_target

    targets = set(
        OrgComment.objects.filter(organisation_id=organisation_id)
        .order_by()
        .values_list("content_type_id", "object_pk")
        .distinct()
    )

    def invalidate() -> None:
        for content_type_id, object_pk in targets:
            invalidate_target(content_type_id, object_pk)

    transaction.on_commit(invalidate)
