"""Build many approved comments quickly for query-count tests and benchmarks."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Display, ModerationEvent, OrgComment, State
from comments.text import fingerprint, render_text


def approved_comment(target, *, parent: OrgComment | None = None, text: str = "A comment.", **fields) -> OrgComment:
    """Save one approved, public comment (with its approval in the audit log)."""
    now = timezone.now()
    # Signed with whatever the test gives (the form's default, anonymous, hides it: see test_signature.py).
    fields.setdefault("display", Display.NAME_AND_ORGANISATION)
    comment = OrgComment(
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk),
        site_id=1,
        comment=text,
        comment_html=render_text(text),
        fingerprint=fingerprint(text),
        submit_date=fields.pop("submit_date", now),
        parent_id=parent.pk if parent else 0,
        state=State.APPROVED,
        is_public=True,
        user_email=fields.pop("user_email", "poster@example.org"),
        **fields,
    )
    comment.save()
    ModerationEvent.objects.create(comment=comment, action="approve", old_state="review", new_state="approved")
    return comment


def threads(target, count: int, *, depth: int = 3) -> list[OrgComment]:
    """Create `count` approved comments as threads of up to `depth` replies."""
    made: list[OrgComment] = []
    while len(made) < count:
        parent = approved_comment(
            target,
            kind="endorse",
            organisation_name=f"Org {len(made)}",
            country="KE",
            city="Nairobi",
            text=f"Top-level comment {len(made)}\n\nwith https://example.org/x",
        )
        made.append(parent)
        for _ in range(depth):
            if len(made) >= count:
                break
            parent = approved_comment(target, parent=parent, kind="comment", text=f"Reply {len(made)}")
            made.append(parent)
    return made
