"""tests/factories.py's OrgCommentFactory: each state with the audit trail the real decision writes."""

import pytest

from comments.models import ModerationEvent, State
from tests.factories import OrgCommentFactory

pytestmark = pytest.mark.django_db


def test_a_comment_waits_for_review_with_no_decision_logged(section):
    comment = OrgCommentFactory(target=section)
    assert (comment.state, comment.is_public) == (State.REVIEW, False)
    assert not ModerationEvent.objects.filter(comment=comment).exists()


@pytest.mark.parametrize(
    ("trait", "state", "public"), [("approved", State.APPROVED, True), ("rejected", State.REJECTED, False)]
)
def test_a_decided_comment_carries_the_event_of_its_decision(section, trait, state, public):
    comment = OrgCommentFactory(target=section, **{trait: True})
    assert (comment.state, comment.is_public) == (state, public)
    event = ModerationEvent.objects.get(comment=comment)
    assert (event.old_state, event.new_state) == (State.REVIEW, state)
