"""What comments need of the things they are posted on: a small interface, not a list of models.

Any model named in ``COMMENTS_TARGET_MODELS`` that offers these methods can be commented on; the
comments app never asks which model it is (guidance's Document and Section offer them).
"""

from __future__ import annotations

from typing import Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast


class CommentTarget(Protocol):
    pk: object

    def get_absolute_url(self) -> str: ...

    def comment_title(self) -> str: ...

    def comment_feed_url(self) -> str: ...

    def comment_document(self) -> CommentTarget:
        """The whole the target belongs to (itself for a whole): its versions, its endorsers."""
        ...

    def comment_changes_url(self, since: int, until: int) -> str: ...

    def comment_scope(self) -> list[tuple[type[models.Model], models.QuerySet]]:
        """The targets whose comments count as this one's: itself, and for a whole, its parts."""
        ...

    def comment_passages(self) -> list:
        """The passages a comment may point at, in reading order, in the target's current text: objects
        with ``key`` (a lasting anchor; "" for a heading), ``text`` and ``html``. Empty for a whole."""
        ...


def in_scope(target: CommentTarget) -> Q:
    """A filter on comments: those posted on the target or on any of its parts, as subqueries (one query)."""
    found = Q(pk__in=[])
    for model, targets in target.comment_scope():
        ids = targets.order_by().annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        found |= Q(content_type=ContentType.objects.get_for_model(model), object_pk__in=ids)
    return found
