"""A poster's own data, through the signed link in their mail: see it, download a copy, erase it."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client

from comments import services, tokens
from comments.models import ModerationEvent, OrgComment, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

EMAIL = "nadia.k@shelter-collective.example"
OTHER_EMAIL = "someone.else@example.org"


def link_from(message, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/comments/{path}/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def mine(post, confirm, approve, section) -> tuple[OrgComment, str]:
    """Nadia's approved comment, and the 'yours' page reached from the link in her confirmation mail."""
    post(
        section,
        email=EMAIL,
        name="Nadia K.",
        organisation_name="Shelter Collective",
        city="Almaty",
        country="KZ",
        on_behalf_of="Night Shift Network",
        comment="Peer outreach workers must be paid.\n\n1. Fund them.\n2. Protect them.",
        display="anonymous",
        REMOTE_ADDR="192.0.2.44",
    )
    withdraw_url = link_from(mail.outbox[-1], "withdraw")
    confirm()
    comment = approve(OrgComment.objects.get(user_email=EMAIL))
    return comment, withdraw_url.replace("/withdraw/", "/yours/")


def test_the_link_in_the_confirmation_mail_leads_to_the_posters_data(client, post, section):
    post(section, email=EMAIL)
    message = mail.outbox[-1]
    assert "download a copy of what the site keeps about your comment" in message.body
    withdraw_page = client.get(link_from(message, "withdraw"))
    assert withdraw_page.status_code == 200
    yours = re.search(r'href="(/comments/yours/[^"]+/)"', withdraw_page.content.decode())
    assert yours, withdraw_page.content.decode()
    page = client.get(yours.group(1))
    assert page.status_code == 200
    assert "Download a copy" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_the_copy_holds_what_is_stored_about_this_comment_and_not_the_email(client, mine, section):
    comment, yours = mine
    response = client.get(yours + "copy.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="comment-{comment.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    copy = json.loads(response.content)
    assert copy["comment"]["text"] == comment.comment
    assert copy["comment"]["state"] == "approved"
    assert copy["comment"]["page"].endswith(section.get_absolute_url())
    assert copy["signature"] == {
        "name": "Nadia K.",
        "organisation": "Shelter Collective",
        "organisation_listed": None,
        "city": "Almaty",
        "country": "KZ",
        "on_behalf_of": "Night Shift Network",
        "shown": "anonymous",
    }
    assert copy["email"]["stored"] is True
    assert copy["address"]["hash"] == comment.address_hash
    assert copy["address"]["erased_after"]
    assert [event["action"] for event in copy["history"]] == ["submit", "confirm", "screen", "approve"]
    body = response.content.decode()
    assert EMAIL not in body and "nadia.k" not in body
    assert "192.0.2.44" not in body
    assert "coordinator" not in body  # who decided is not the poster's data


def test_the_copy_holds_nobody_elses_comments(client, mine, section):
    comment, yours = mine
    # Another comment with the same email (a shared office mailbox), and a reply by someone else.
    approved_comment(section, text="A statement by a colleague sharing the mailbox.", user_email=EMAIL)
    approved_comment(section, parent=comment, text="A reply by another organisation.", user_email=OTHER_EMAIL)
    body = client.get(yours + "copy.json").content.decode()
    assert "colleague" not in body
    assert "another organisation" not in body
    assert OTHER_EMAIL not in body


def test_a_rejection_reason_is_in_the_copy_but_no_coordinator_note(client, mine, coordinator):
    comment, yours = mine
    services.comment_reject(comment=comment, by=coordinator, reason="Off topic for this section.")
    history = json.loads(client.get(yours + "copy.json").content)["history"]
    assert history[-1] == {
        "date": history[-1]["date"],
        "action": "reject",
        "from": "approved",
        "to": "rejected",
        "reason": "Off topic for this section.",
    }
    assert all(event["reason"] is None for event in history[:-1])


@pytest.mark.parametrize("suffix", ["", "copy.json"])
def test_a_forged_or_broken_link_shows_a_clear_page(client, suffix):
    forged = tokens.withdraw_token(OrgComment(pk=1))[:-3] + "abc"
    response = client.get(f"/comments/yours/{forged}/{suffix}")
    assert response.status_code == 404
    assert "This link to your comment is not valid or has expired." in response.content.decode()


def test_erasing_needs_the_box_ticked_and_changes_nothing_without_it(client, mine):
    comment, yours = mine
    response = client.post(yours + "erase/", {})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == State.APPROVED
    assert comment.user_email == EMAIL


def test_erasing_works_from_a_browser_that_sends_origin_null_and_needs_the_links_token(mine):
    """The page sends Referrer-Policy: no-referrer, so a browser posts its form with Origin: null and
    no Referer: the token in the address is what authorises, never a cookie."""
    comment, yours = mine
    browser = Client(enforce_csrf_checks=True, headers={"origin": "null"})
    forged = browser.post("/comments/yours/not-a-token/erase/", {"understood": "yes"})
    assert forged.status_code == 404
    comment.refresh_from_db()
    assert comment.user_email == EMAIL
    assert browser.post(yours + "erase/", {"understood": "yes"}).status_code == 200
    comment.refresh_from_db()
    assert comment.user_email == ""


def test_erasing_empties_every_personal_field_and_hides_the_comment_not_the_replies_of_others(
    client, mine, section, django_capture_on_commit_callbacks
):
    comment, yours = mine
    reply = approved_comment(section, parent=comment, text="We agree with Shelter Collective.")
    assert "Peer outreach workers" in client.get(section.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(yours + "erase/", {"understood": "yes"})
    assert response.status_code == 200
    assert "your comment and your data are erased" in response.content.decode()
    comment.refresh_from_db()
    assert comment.state == State.WITHDRAWN
    for name, value in services.ERASED_FIELDS.items():
        stored = getattr(comment, name)
        assert stored == value or (name == "country" and not stored), name
    reply.refresh_from_db()
    assert reply.is_public  # someone else's words: they stay, under a placeholder
    page = client.get(section.get_absolute_url()).content.decode()
    assert "Peer outreach workers" not in page and "We agree with Shelter Collective." in page
    assert "This comment was withdrawn by its author." in page
    # The audit log keeps the dates and decisions, with nothing about the poster.
    actions = list(comment.events.values_list("action", flat=True))
    assert actions[-2:] == ["withdraw", "erase"]
    assert not OrgComment.objects.filter(user_email=EMAIL).exists()


def test_after_erasure_the_link_says_so_and_the_copy_is_empty(client, mine):
    comment, yours = mine
    client.post(yours + "erase/", {"understood": "yes"})
    again = client.post(yours + "erase/", {"understood": "yes"})
    assert again.status_code == 200
    assert ModerationEvent.objects.filter(comment=comment, action="erase").count() == 2
    page = client.get(yours).content.decode()
    assert "were erased" in page and "Erase</button>" not in page
    copy = json.loads(client.get(yours + "copy.json").content)
    assert copy["erased"] is True
    assert copy["comment"]["text"] == ""
    assert set(copy["signature"].values()) <= {"", None, "name_org", "anonymous"}
    assert copy["email"]["stored"] is False
    assert copy["address"]["hash"] is None


@pytest.mark.parametrize("state", [State.SPAM, State.REJECTED, State.UNCONFIRMED])
def test_a_comment_in_any_state_can_be_erased(state, section):
    comment = approved_comment(section, text="Something to erase.", user_email=EMAIL)
    OrgComment.objects.filter(pk=comment.pk).update(state=state, is_public=False)
    erased = services.comment_erase(comment=comment)
    assert erased.state == State.WITHDRAWN
    assert erased.comment == "" and erased.user_email == ""


def test_withdrawing_a_rejected_comment_works_instead_of_failing(client, mine, coordinator):
    comment, yours = mine
    services.comment_reject(comment=comment, by=coordinator, reason="Off topic.")
    response = client.post(yours.replace("/yours/", "/withdraw/"))
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.state == State.WITHDRAWN
