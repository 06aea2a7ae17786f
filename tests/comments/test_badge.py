"""The verified badge vouches for the poster: only a member of the organisation earns it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from comments import selectors
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_org(member):
    org = member.organisations.get()
    org.verified_at = timezone.now()
    org.save()
    return org


def test_the_badge_shows_only_for_a_member(section, verified_org, member, stranger):
    by_member = approved_comment(section, organisation=verified_org, user=member)
    impostor = approved_comment(section, organisation=verified_org, user=stranger)
    anonymous = approved_comment(section, organisation=verified_org)
    shown = {c.pk: c.organisation_verified_at for c in selectors.thread_page(section).comments}
    assert shown[by_member.pk] is not None
    assert shown[impostor.pk] is None and shown[anonymous.pk] is None
