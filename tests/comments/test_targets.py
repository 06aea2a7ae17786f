"""comments.targets: comments attach to any model offering the small target interface."""

from __future__ import annotations

import pytest
from django.apps import apps

from comments import selectors
from comments.targets import CommentTarget
from tests.comments.builders import approved_comment

INTERFACE = [name for name in dir(CommentTarget) if name.startswith("comment_") or name == "get_absolute_url"]


@pytest.mark.parametrize("label", ["guidance.document", "guidance.section"])
def test_every_target_model_offers_the_interface(settings, label):
    assert label in settings.COMMENTS_TARGET_MODELS
    model = apps.get_model(label)
    missing = [name for name in INTERFACE if not callable(getattr(model, name, None))]
    assert not missing


def test_a_documents_scope_covers_its_sections_and_itself_only(note):
    other = type(note).objects.create(slug="other-note", title="Another note")
    section = note.sections.get(key="introduction")
    on_section = approved_comment(section, text="On a section.")
    on_note = approved_comment(note, text="On the whole note.")
    approved_comment(other, text="On another note.")
    assert set(selectors.for_document(note)) == {on_section, on_note}
    assert section.comment_document() == note and note.comment_document() == note
    assert section.comment_feed_url() == f"/comments/feeds/{note.slug}/{section.key}.atom"
    assert note.comment_feed_url() == f"/comments/feeds/{note.slug}.atom"
