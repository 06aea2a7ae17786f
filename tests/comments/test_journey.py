"""A comment's life through the real views: post, confirm, moderate, appear, reply, withdraw."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comments.models import ModerationEvent, OrgComment, State
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db


def test_it_stores_a_strangers_comment_hidden_and_mails_a_confirmation_link(client, post, section):
    response = post(section, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/comments/sent/")  # post/redirect/get, no #comments
    assert "Check your mail: open the link in it within 7 days" in response.content.decode()
    comment = OrgComment.objects.get()
    assert comment.state == State.UNCONFIRMED
    assert not comment.is_public
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "/comments/confirm/" in mail.outbox[0].body
    assert "/comments/withdraw/" in mail.outbox[0].body
    assert "We endorse this section." not in client.get(section.get_absolute_url()).content.decode()


def test_it_stores_no_raw_address_only_a_keyed_hash(post, section):
    post(section, REMOTE_ADDR="203.0.113.9")
    comment = OrgComment.objects.get()
    assert comment.ip_address is None
    assert len(comment.address_hash) == 64
    assert "203.0.113.9" not in comment.address_hash


def test_it_puts_no_email_in_the_confirmation_link(post, section):
    post(section)
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/comments/confirm/" in line)
    assert "amina" not in link and "example.org" not in link.split("/comments/")[1]


def test_it_confirms_then_waits_for_moderation(post, confirm, section):
    post(section)
    response = confirm()
    assert response.status_code == 200
    assert "awaiting moderation" in response.content.decode()
    comment = OrgComment.objects.get()
    # Confirmed, then screened: a first-time poster always goes to a coordinator.
    assert comment.state == State.REVIEW
    assert not comment.is_public
    assert list(comment.events.values_list("action", flat=True)) == ["submit", "confirm", "screen"]


def test_it_shows_a_friendly_page_for_a_reused_token(post, confirm, section):
    post(section)
    confirm()
    again = confirm()
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert ModerationEvent.objects.filter(action="confirm").count() == 1


def test_it_refuses_an_unknown_token_without_a_500(client):
    assert client.get("/comments/confirm/not-a-real-token/").status_code == 404
    assert client.post("/comments/confirm/not-a-real-token/").status_code == 404


def test_a_signed_in_member_posting_with_their_accounts_address_skips_confirmation(client, member, post, section):
    client.force_login(member)
    post(section, email=member.email.upper())
    comment = OrgComment.objects.get()
    assert comment.state == State.REVIEW
    assert comment.user == member
    assert mail.outbox == []


def test_an_approved_comment_appears_with_what_the_poster_allowed(client, post, confirm, approve, section):
    post(section, display="org")
    confirm()
    approve(OrgComment.objects.get())
    page = client.get(section.get_absolute_url()).content.decode()
    assert "We endorse this section." in page
    assert "Sisters Alliance" in page
    assert "Amina" not in page
    assert "amina@example.org" not in page


def test_an_anonymous_poster_is_shown_as_an_anonymous_participant(client, post, confirm, approve, section):
    post(section, display="anonymous")
    confirm()
    approve(OrgComment.objects.get())
    page = client.get(section.get_absolute_url()).content.decode()
    assert "Anonymous participant" in page
    assert "Sisters Alliance" not in page and "Amina" not in page


def test_a_withdrawn_comment_disappears(client, post, confirm, approve, section):
    post(section)
    confirm()
    comment = approve(OrgComment.objects.get())
    link = next(line for line in mail.outbox[0].body.splitlines() if "/comments/withdraw/" in line)
    path = link[link.index("/comments/withdraw/") :].strip()
    assert "We endorse this section." in client.get(section.get_absolute_url()).content.decode()
    assert client.get(path).status_code == 200
    assert OrgComment.objects.get(pk=comment.pk).state == State.APPROVED  # GET only asks
    response = client.post(path)
    assert response.status_code == 200
    assert OrgComment.objects.get(pk=comment.pk).state == State.WITHDRAWN
    assert "We endorse this section." not in client.get(section.get_absolute_url()).content.decode()
    feed = client.get(f"/comments/feeds/{section.document.slug}/{section.key}.atom").content.decode()
    assert "We endorse this section." not in feed


def test_a_reply_threads_under_its_parent_and_notifies_followers(client, post, confirm, approve, section):
    post(section, followup="on")
    confirm()
    parent = approve(OrgComment.objects.get())
    mail.outbox.clear()
    post(section, reply_to=str(parent.pk), comment="A reply from Lima.", email="rosa@example.org", name="Rosa")
    confirm()
    reply = OrgComment.objects.get(parent_id=parent.pk, level=1)
    assert reply.thread_id == parent.pk
    mail.outbox.clear()
    approve(reply)
    followups = [m for m in mail.outbox if "/comments/mute/" in m.body]
    assert [m.to for m in followups] == [["amina@example.org"]]
    page = client.get(section.get_absolute_url()).content.decode()
    assert page.index("We endorse this section.") < page.index("A reply from Lima.")


def test_approving_a_parent_never_publishes_a_pending_reply(client, post, confirm, approve, section, coordinator):
    from comments import services

    post(section)
    confirm()
    parent = approve(OrgComment.objects.get())
    post(section, reply_to=str(parent.pk), comment="Pending reply text.", email="b@example.org")
    confirm()
    reply = OrgComment.objects.get(level=1)
    # Saving the parent used to copy its public flag onto every reply (django-comments-xtd's pre_save hook).
    parent.refresh_from_db()
    parent.save()
    services.comment_reject(comment=parent, by=coordinator)
    services.comment_approve(comment=parent, by=coordinator)
    reply.refresh_from_db()
    assert reply.state == State.REVIEW
    assert not reply.is_public
    assert not OrgComment.objects.visible().filter(pk=reply.pk).exists()


def test_a_hidden_parent_hides_its_approved_replies(client, post, confirm, approve, section, coordinator):
    from comments import services

    post(section)
    confirm()
    parent = approve(OrgComment.objects.get())
    post(section, reply_to=str(parent.pk), comment="Approved reply text.", email="b@example.org")
    confirm()
    reply = approve(OrgComment.objects.get(level=1))
    assert OrgComment.objects.visible().filter(pk=reply.pk).exists()
    services.comment_reject(comment=parent, by=coordinator, reason="off-topic")
    assert not OrgComment.objects.visible().filter(pk=reply.pk).exists()
    assert "Approved reply text." not in client.get(section.get_absolute_url()).content.decode()
    services.comment_approve(comment=parent, by=coordinator)
    assert OrgComment.objects.visible().filter(pk=reply.pk).exists()


def test_every_visible_comment_has_an_approval_in_the_audit_log(post, confirm, approve, section):
    post(section)
    confirm()
    approve(OrgComment.objects.get())
    for comment in OrgComment.objects.visible():
        assert comment.events.filter(new_state=State.APPROVED).exists()


def test_a_reply_past_the_depth_limit_gets_a_clear_error_and_no_stray_row(client, post, confirm, approve, section):
    parent_id = "0"
    for level in range(4):
        post(section, reply_to=parent_id, comment=f"Level {level}", email=f"p{level}@example.org")
        confirm()
        comment = approve(OrgComment.objects.get(level=level))
        parent_id = str(comment.pk)
    before = OrgComment.objects.count()
    response = post(section, reply_to=parent_id, comment="Too deep", email="deep@example.org")
    assert response.status_code == 200
    assert "nested 3 levels deep" in response.content.decode()
    assert "Too deep" in response.content.decode()
    assert OrgComment.objects.count() == before


def test_the_language_switcher_of_pages_answering_a_post_leads_to_working_pages(client, post, section):
    pages = [
        client.post("/fr/comments/post/", form_data(section, email="")),  # the form again, with its errors
        client.post("/comments/post/", {"content_type": "nothing.here"}),  # a form of no page
    ]
    for answer in pages:
        switcher = answer.content.decode().split('class="language"')[1].split("</nav>")[0]
        links = re.findall(r'href="([^"]+)"', switcher)
        assert len(links) == 4
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    sent = post(section, follow=True)
    switcher = sent.content.decode().split('class="language"')[1].split("</nav>")[0]
    for link in re.findall(r'href="([^"]+)"', switcher):
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200 and "<h1>" in page.content.decode(), link
