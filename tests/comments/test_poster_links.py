"""The links mailed to a poster: each works for a stated time, then tells nothing; their pages are private.

A mailbox can be shared within an organisation, change hands or be searched: a link kept in it must
not, months later, let its holder withdraw or erase the comment, read what the site keeps about it,
or learn whether it was published. Past its lifetime a link answers exactly as a forged one.
"""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments import mail as poster_mail
from comments import tokens
from comments.models import OrgComment, State
from tests.comments.builders import approved_comment
from tests.comments.conftest import confirmation_token

pytestmark = pytest.mark.django_db

DAY = 24 * 3600
FORGED = "MQ:1xYWQm:zUzeNXFa_szS7sgQ5ZQOUmRIvWMSLsuEpKSOctIYabc"


def signed_days_ago(make_token, comment: OrgComment, days: float) -> str:
    """A token signed ``days`` ago, as the one in a mail that old."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - days * DAY):
        return make_token(comment)


def same_answer(client: Client, method: str, pattern: str, token: str, forged: str = FORGED) -> None:
    """The answer to the link is the forged link's, but for the address itself (in the language links)."""
    answer = getattr(client, method)(pattern.format(token))
    forged_answer = getattr(client, method)(pattern.format(forged))
    assert answer.status_code == forged_answer.status_code == 404
    assert answer.content.decode().replace(token, "[link]") == forged_answer.content.decode().replace(forged, "[link]")


def test_withdraw_and_own_data_links_expire_into_the_forged_links_page(client, section, settings):
    settings.COMMENTS_WITHDRAW_LINK_DAYS = 30
    comment = approved_comment(section, user_email="nadia@example.org")
    fresh = signed_days_ago(tokens.withdraw_token, comment, 29)
    assert client.get(f"/comments/withdraw/{fresh}/").status_code == 200
    assert client.get(f"/comments/yours/{fresh}/").status_code == 200
    old = signed_days_ago(tokens.withdraw_token, comment, 31)
    for method, pattern in [
        ("get", "/comments/withdraw/{}/"),
        ("post", "/comments/withdraw/{}/"),
        ("get", "/comments/yours/{}/"),
        ("get", "/comments/yours/{}/copy.json"),
        ("post", "/comments/yours/{}/erase/"),
    ]:
        same_answer(client, method, pattern, old)
    comment.refresh_from_db()
    assert comment.state == State.APPROVED and comment.user_email == "nadia@example.org"


def test_a_mute_link_expires_into_the_forged_links_page(client, section, settings):
    settings.COMMENTS_MUTE_LINK_DAYS = 30
    comment = approved_comment(section, followup=True)
    old = signed_days_ago(tokens.mute_token, comment, 31)
    same_answer(client, "post", "/comments/mute/{}/", old)
    assert OrgComment.objects.get(pk=comment.pk).followup is True


def test_a_used_confirmation_link_stops_telling_the_comments_state(client, post, confirm, approve, section, settings):
    settings.COMMENTS_CONFIRMATION_DAYS = 7
    post(section, email="amina@example.org")
    token = confirmation_token(mail.outbox[-1])
    confirm()
    comment = approve(OrgComment.objects.get(user_email="amina@example.org"))
    assert "It has been published." in client.post(f"/comments/confirm/{token}/").content.decode()
    OrgComment.objects.filter(pk=comment.pk).update(submit_date=timezone.now() - timedelta(days=7, hours=1))
    for method in ("get", "post"):
        same_answer(client, method, "/comments/confirm/{}/", token, forged="never-mailed-token")


@pytest.mark.parametrize(("language", "days_word"), [("en", "days"), ("fr", "jours"), ("es", "días"), ("ru", "дн")])
def test_each_mail_states_how_long_its_links_work(section, settings, language, days_word):
    settings.COMMENTS_CONFIRMATION_DAYS = 6
    settings.COMMENTS_WITHDRAW_LINK_DAYS = 45
    settings.COMMENTS_MUTE_LINK_DAYS = 33
    comment = approved_comment(section, mail_language=language)
    poster_mail.send_confirmation(comment, "a-token")
    poster_mail.send_decision(comment)
    poster_mail.send_followup(comment, follower_id=comment.pk, email="follower@example.org", language=language)
    confirmation, decision, followup = (message.body for message in mail.outbox)
    assert f"6 {days_word}" in confirmation and f"45 {days_word}" in confirmation, confirmation
    assert f"45 {days_word}" in decision, decision
    assert f"33 {days_word}" in followup, followup


def test_every_page_behind_a_posters_link_is_private(client, section):
    comment = approved_comment(section, followup=True)
    withdraw, mute = tokens.withdraw_token(comment), tokens.mute_token(comment)
    unconfirmed = approved_comment(section, confirmation_hash=tokens.hash_token("tok"))
    OrgComment.objects.filter(pk=unconfirmed.pk).update(state=State.UNCONFIRMED, is_public=False)
    answers = [
        client.get("/comments/confirm/tok/"),
        client.get(f"/comments/confirm/{FORGED}/"),
        client.get(f"/comments/withdraw/{withdraw}/"),
        client.get(f"/comments/withdraw/{FORGED}/"),
        client.put(f"/comments/withdraw/{withdraw}/"),
        client.get(f"/comments/yours/{withdraw}/"),
        client.get(f"/comments/yours/{withdraw}/copy.json"),
        client.post(f"/comments/yours/{withdraw}/erase/"),  # without the tick box: 400
        client.get(f"/comments/mute/{mute}/"),
        client.post(f"/comments/mute/{mute}/"),
        client.post("/comments/confirm/tok/"),
    ]
    assert {answer.status_code for answer in answers} == {200, 400, 404, 405}
    for answer in answers:
        assert "no-store" in answer["Cache-Control"], (answer.status_code, answer.request["PATH_INFO"])
        assert answer["Referrer-Policy"] == "no-referrer", (answer.status_code, answer.request["PATH_INFO"])
