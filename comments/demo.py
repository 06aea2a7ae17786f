"""Load the sample comments of fixtures/comments.json (written for this project) for `make demo`."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from comments import services
from comments.models import OrgComment, State
from guidance.models import Document, Section


def load_sample_comments(*, document: Document, path: Path | None = None) -> int:
    """Post and approve the sample threads through the services (no mail sent); return how many were added.

    Does nothing when the document already has comments, so running it twice is harmless.
    """
    path = path or settings.BASE_DIR / "fixtures" / "comments.json"
    if OrgComment.objects.filter(object_pk__in=_target_pks(document)).exists():
        return 0
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    sections = {s.key: s for s in Section.objects.filter(document=document)}
    version = document.current_version()
    added = 0
    with transaction.atomic():
        for index, entry in enumerate(entries):
            target = sections.get(entry["section"]) if entry["section"] else document
            if target is None:
                continue
            added += _post(entry, target=target, parent=None, version=version, n=index)
    return added


def _target_pks(document: Document) -> list[str]:
    return [str(document.pk), *(str(pk) for pk in document.sections.values_list("pk", flat=True))]


def _post(entry: dict, *, target, parent, version, n: int) -> int:
    comment = services.comment_submit(
        submission=services.Submission(
            target=target,
            parent=parent,
            text=entry["text"],
            kind=entry["kind"],
            email=f"sample-{n}-{len(entry['text'])}@example.org",
            signature=services.Signature(
                name=entry.get("name", ""),
                organisation_name=entry.get("organisation", ""),
                city=entry.get("city", ""),
                country=entry.get("country", ""),
                on_behalf_of=entry.get("on_behalf_of", ""),
                display=entry.get("display", "name_org"),
            ),
            language=entry.get("language", "en"),
            version=version,
        )
    )
    services.change_state(comment=comment, new_state=State.PENDING, action="confirm", by=None, reason="sample content")
    services.change_state(
        comment=comment, new_state=State.APPROVED, action="approve", by=None, reason="sample content", notify=False
    )
    comment.refresh_from_db()
    added = 1
    for reply_index, reply in enumerate(entry.get("replies", [])):
        added += _post(reply, target=target, parent=comment, version=version, n=n * 100 + reply_index + 1)
    return added
