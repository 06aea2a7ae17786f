"""What the subscriptions hear from the apps below them, which do not know they exist."""

from __future__ import annotations

from django.utils import timezone

from campaign.subscriptions import queue


def version_saved(sender, instance, **kwargs) -> None:
    """A version of the note was saved: once its transaction commits, announce it if it is published.

    Originals only: a translation is the same news in another language, and each subscriber's mail
    already leads to the version in their language when it exists. The task checks again (and does
    nothing for a version already announced), so a version saved twice is mailed once; one published
    with a date still ahead is found by the hourly ``announce_due`` once the date has come.
    """
    if instance.translation_of_id is None and instance.published is not None and instance.published <= timezone.now():
        queue.on_commit(queue.ANNOUNCE_VERSION, instance.pk)
