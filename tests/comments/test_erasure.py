"""Erasure leaves nothing worked out from the text: no fingerprint, no near-duplicate index, no findings.

A poster who erases their comment must not stay findable through it: a later text like theirs must
not be grouped with it, and no row may still answer "was this text here?".
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comments import screening
from comments.models import CommentRevision, KeywordRule, MinHashBand, ModerationEvent, OrgComment, State
from comments.text import fingerprint

pytestmark = pytest.mark.django_db

TEXT = (
    "We the undersigned collectives ask that outreach to workers in the northern district be funded "
    "by the ministry, that police raids on shared flats stop, and that community groups lead."
)


@pytest.fixture
def screened(post, confirm, section) -> tuple[OrgComment, str]:
    """A comment posted, confirmed and screened (its bands indexed), and its 'yours' page."""
    KeywordRule.objects.create(phrase="police raids", action=KeywordRule.Action.HOLD)
    post(section, comment=TEXT, email="first@example.org")
    withdraw = re.search(r"(/comments/withdraw/[^\s]+/)", mail.outbox[-1].body).group(1)
    confirm()
    comment = OrgComment.objects.get()
    assert comment.state == State.REVIEW and MinHashBand.objects.filter(comment=comment).exists()
    return comment, withdraw.replace("/withdraw/", "/yours/")


def test_erasing_removes_the_texts_index_fingerprint_group_and_findings(client, screened):
    comment, yours = screened
    assert client.post(yours + "erase/", {"understood": "yes"}).status_code == 200
    comment.refresh_from_db()
    assert not MinHashBand.objects.filter(comment_id=comment.pk).exists()
    assert comment.fingerprint == "" and comment.minhash == [] and comment.campaign_group is None
    assert not OrgComment.objects.filter(fingerprint=fingerprint(TEXT)).exists()
    screen = ModerationEvent.objects.get(comment=comment, action="screen")
    assert "police raids" not in screen.reason and screen.findings is None
    assert screen.new_state == State.REVIEW and screen.score is not None  # the decision itself stays


def test_a_later_text_like_an_erased_one_is_not_grouped_with_it(client, screened, section):
    comment, yours = screened
    client.post(yours + "erase/", {"understood": "yes"})
    later = OrgComment.objects.create(
        content_type_id=comment.content_type_id,
        object_pk=comment.object_pk,
        site_id=1,
        comment=TEXT + " Thank you.",
        user_email="second@example.org",
        state=State.PENDING,
    )
    result, group = screening.check_near_duplicates(later, screening.minhash(later.comment))
    assert group is None and result.score == 0


def test_erasing_removes_the_corrections_the_poster_proposed(client, screened):
    comment, yours = screened
    CommentRevision.objects.create(comment=comment, text="A corrected statement naming our street.")
    client.post(yours + "erase/", {"understood": "yes"})
    assert not CommentRevision.objects.filter(comment=comment).exists()
