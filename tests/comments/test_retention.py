"""What is kept only for a while: address hashes, unconfirmed comments, expired sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from comments import services, tasks
from comments.models import ModerationEvent, OrgComment, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db


def aged(comment: OrgComment, days: float) -> OrgComment:
    OrgComment.objects.filter(pk=comment.pk).update(submit_date=timezone.now() - timedelta(days=days))
    return comment


def test_address_hashes_are_erased_after_the_retention_period_and_kept_before(settings, section):
    settings.ADDRESS_RETENTION_DAYS = 30
    old = aged(approved_comment(section, text="Old.", address_hash="a" * 64), 31)
    recent = aged(approved_comment(section, text="Recent.", address_hash="b" * 64), 29)
    result = tasks.purge_personal_data()
    assert result["address_hashes"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.address_hash == ""
    assert recent.address_hash == "b" * 64
    assert old.state == State.APPROVED and old.comment == "Old."  # only the hash goes


def test_the_retention_period_comes_from_the_settings(settings, section):
    settings.ADDRESS_RETENTION_DAYS = 3
    comment = aged(approved_comment(section, text="Four days old.", address_hash="c" * 64), 4)
    assert tasks.purge_personal_data()["address_hashes"] == 1
    comment.refresh_from_db()
    assert comment.address_hash == ""


def test_unconfirmed_comments_are_deleted_once_their_link_has_expired(settings, post, section, note):
    settings.COMMENTS_CONFIRMATION_DAYS = 7
    post(section, email="late@example.org", comment="Never confirmed, long ago.")
    post(note, email="fresh@example.org", comment="Never confirmed, yesterday.")
    expired = aged(OrgComment.objects.get(user_email="late@example.org"), 7.1)
    fresh = aged(OrgComment.objects.get(user_email="fresh@example.org"), 1)
    confirmed_long_ago = aged(approved_comment(section, text="Confirmed and approved."), 60)

    assert tasks.purge_personal_data()["unconfirmed_comments"] == 1

    assert not OrgComment.objects.filter(pk=expired.pk).exists()
    assert not ModerationEvent.objects.filter(comment_id=expired.pk).exists()
    assert OrgComment.objects.filter(pk=fresh.pk, state=State.UNCONFIRMED).exists()
    assert OrgComment.objects.filter(pk=confirmed_long_ago.pk).exists()


def test_an_expired_unconfirmed_reply_no_longer_counts_in_its_thread(settings, post, section):
    settings.COMMENTS_CONFIRMATION_DAYS = 7
    root = approved_comment(section, text="A thread.")
    child = approved_comment(section, parent=root, text="A reply.")
    post(section, reply_to=str(child.pk), email="late@example.org", comment="An unconfirmed reply.")
    late = aged(OrgComment.objects.get(user_email="late@example.org"), 8)
    assert late.parent_id == child.pk
    root.refresh_from_db()
    assert root.nested_count == 2

    assert services.purge_unconfirmed(older_than=timedelta(days=7)) == 1

    root.refresh_from_db()
    child.refresh_from_db()
    assert (root.nested_count, child.nested_count) == (1, 0)


def test_an_expired_link_cannot_be_confirmed_even_before_the_purge(settings, post, confirm, section):
    settings.COMMENTS_CONFIRMATION_DAYS = 7
    post(section)
    aged(OrgComment.objects.get(), 7)
    response = confirm()
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_expired_sessions_are_deleted_and_live_ones_kept(client, coordinator):
    client.force_login(coordinator)
    live = Session.objects.get()
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(minutes=1))
    tasks.clear_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_a_coordinators_session_ends_with_the_browser_and_within_hours(client, coordinator, settings):
    response = client.post("/admin/login/", {"username": "coordinator", "password": "a-long-test-password"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Max-Age and no Expires: the browser forgets the cookie when it closes.
    assert not cookie["max-age"] and not cookie["expires"]
    lifetime = Session.objects.get().expire_date - timezone.now()
    assert timedelta(hours=1) <= lifetime <= timedelta(hours=12)
