"""Trust is what a poster proved, never what they typed (README "Screening", SECURITY.md "Trust").

Proof is a confirmation link opened from the mailbox of the comment's own address, or membership of a
verified organisation for the signed-in account that posts. Posts that someone makes in another's name
and never confirms weigh on the address that sent them, not on the name's owner, and the owner's
mailbox never receives their words.
"""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comments import screening
from comments.forms import OrgCommentForm
from comments.models import OrgComment, State
from tests import factories
from tests.comments.builders import approved_comment
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db

OWNER = "rosa@night-shift.example"
OWNER_ADDRESS = "198.51.100.20"
ATTACKER_ADDRESS = "203.0.113.66"


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post through the real form from a browser of its own (a client address, maybe an account)."""

    def _send(section, *, address: str, user=None, **fields):
        browser = Client(REMOTE_ADDR=address)
        if user is not None:
            browser.force_login(user)
        a_minute_ago = int(time.time()) - 60  # written at a person's pace: the speed check finds nothing
        security_hash = OrgCommentForm(section).initial_security_hash(a_minute_ago)
        fields.update(timestamp=str(a_minute_ago), security_hash=security_hash)
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post("/comments/post/", form_data(section, **fields))
        assert response.status_code == 302, response.content.decode()[:500]
        return browser

    return _send


@pytest.fixture
def owners_record(send, confirm, approve, section) -> OrgComment:
    """Rosa's earlier comment: sent, confirmed from her mailbox, approved."""
    send(section, address=OWNER_ADDRESS, email=OWNER, comment="Our first statement, published.")
    confirm()
    comment = approve(OrgComment.objects.get(user_email=OWNER))
    mail.outbox.clear()
    return comment


def test_a_member_typing_someone_elses_address_is_not_published_on_their_record(owners_record, send, member, section):
    send(section, address=ATTACKER_ADDRESS, user=member, email=OWNER, comment="Words Rosa never wrote.")
    comment = OrgComment.objects.get(comment="Words Rosa never wrote.")
    assert comment.state == State.UNCONFIRMED and not comment.is_public
    # Rosa gets the one mail anybody's address gets: a request to confirm, which she can ignore;
    # no "published" notice, no link to a comment that was never hers.
    assert [(m.to, m.subject) for m in mail.outbox] == [([OWNER], "Please confirm your comment on the Guidance Note")]


def test_a_verified_members_own_address_is_proof_enough_and_no_mail_is_needed(send, member, section):
    organisation = member.organisations.get()
    organisation.verified_at = timezone.now()
    organisation.save()
    send(section, address=ATTACKER_ADDRESS, user=member, email=member.email, comment="Our organisation endorses it.")
    assert OrgComment.objects.get().state == State.APPROVED
    assert all("confirm" not in m.subject for m in mail.outbox)


def test_a_comment_linked_to_a_verified_organisation_is_not_trusted_for_a_poster_outside_it(section, stranger):
    organisation = factories.OrganisationFactory(verified_at=timezone.now())
    comment = approved_comment(section, text="Signed as them", user=stranger, organisation=organisation)
    OrgComment.objects.filter(pk=comment.pk).update(state=State.PENDING, is_public=False)
    comment.refresh_from_db()
    assert not screening.is_trusted(comment)
    organisation.members.add(stranger)
    assert screening.is_trusted(comment)


def test_an_earlier_approved_comment_lends_trust_only_to_a_comment_confirmed_from_the_same_mailbox(section):
    approved_comment(section, text="earlier, confirmed", user_email=OWNER, confirmed_by_mail=True)
    typed = approved_comment(section, text="typed by a member", user_email=OWNER)
    OrgComment.objects.filter(pk=typed.pk).update(state=State.PENDING, is_public=False)
    typed.refresh_from_db()
    assert not screening.is_trusted(typed)
    OrgComment.objects.filter(pk=typed.pk).update(confirmed_by_mail=True)
    typed.refresh_from_db()
    assert screening.is_trusted(typed)


def test_an_approved_comment_that_was_never_confirmed_by_mail_lends_no_trust(section):
    approved_comment(section, text="posted under a typed address", user_email=OWNER, confirmed_by_mail=False)
    later = approved_comment(section, text="confirmed later", user_email=OWNER, confirmed_by_mail=True)
    OrgComment.objects.filter(pk=later.pk).update(state=State.PENDING, is_public=False)
    later.refresh_from_db()
    assert not screening.is_trusted(later)


def test_posts_made_in_someones_name_and_never_confirmed_do_not_weigh_on_them(owners_record, send, confirm, section):
    for n in range(10):
        send(section, address=ATTACKER_ADDRESS, email=OWNER, comment=f"Flood number {n} in Rosa's name.")
    mail.outbox.clear()
    send(section, address=OWNER_ADDRESS, email=OWNER, comment="Rosa's own second statement.")
    confirm()
    comment = OrgComment.objects.get(comment="Rosa's own second statement.")
    assert "rate" not in {reason["check"] for reason in comment.spam_reasons}
    assert comment.state == State.APPROVED  # her own record still stands: trusted, clean
    # The flood counts against the address that sent it.
    flood = OrgComment.objects.filter(comment__startswith="Flood number 9").get()
    assert screening.sender_history(flood).last_hour_by_address == 9


def test_a_text_posted_first_in_someones_name_does_not_stop_them_posting_it(send, confirm, section):
    """Unconfirmed, the impostor's copy is nobody's earlier comment: Rosa's own post goes through."""
    text = "The statement our network agreed on last night."
    send(section, address=ATTACKER_ADDRESS, email=OWNER, comment=text)
    mail.outbox.clear()
    browser = send(section, address=OWNER_ADDRESS, email=OWNER, comment=text)
    assert "You already sent" not in browser.get("/").content.decode()
    assert len(mail.outbox) == 1
    page = confirm().content.decode()
    assert "your comment is confirmed" in page
    assert OrgComment.objects.filter(comment=text, state=State.REVIEW).count() == 1


def test_the_confirmation_mail_carries_nothing_the_sender_typed(send, section):
    send(
        section,
        address=ATTACKER_ADDRESS,
        email=OWNER,
        comment="Insulting words the owner of this address should never be sent.",
        name="Fake Name Quimby",
        organisation_name="Invented Org Zelda",
        city="Nowhereville",
        on_behalf_of="Made-up Network",
    )
    (message,) = mail.outbox
    for typed in ("Insulting words", "Quimby", "Zelda", "Nowhereville", "Made-up Network"):
        assert typed not in message.body and typed not in message.subject, typed
    assert "/comments/confirm/" in message.body


def test_the_confirmation_mail_is_in_the_posters_language(send, section):
    send(section, address=ATTACKER_ADDRESS, email=OWNER, language="fr", comment="Nous soutenons cette section.")
    (message,) = mail.outbox
    assert "Merci de confirmer" in message.subject
    assert "Nous soutenons" not in message.body
