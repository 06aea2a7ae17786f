"""Mail tasks are idempotent per recipient (comments/mail.py ``_send_once``): a task retried or
delivered twice by the broker mails nobody twice, and a send that failed is sent on the retry."""

from __future__ import annotations

import pytest
from django.core import mail

from comments import services, tasks
from comments.models import OrgComment, SentMail, State
from tests.comments.builders import approved_comment
from tests.comments.test_screening import pending

pytestmark = pytest.mark.django_db


def test_a_followup_task_run_twice_mails_each_follower_once(section):
    root = approved_comment(section, text="The thread.", user_email="amina@example.org", followup=True)
    approved_comment(section, parent=root, text="Also following.", user_email="ben@example.org", followup=True)
    reply = approved_comment(section, parent=root, text="A reply.", user_email="chloe@example.org")
    mail.outbox.clear()
    tasks.notify_followers(reply.pk)
    tasks.notify_followers(reply.pk)
    assert sorted(message.to[0] for message in mail.outbox) == ["amina@example.org", "ben@example.org"]


@pytest.mark.parametrize("state", [State.APPROVED, State.REJECTED])
def test_a_decision_notice_run_twice_mails_once(section, state):
    comment = approved_comment(section, text="Decided.", user_email="amina@example.org")
    OrgComment.objects.filter(pk=comment.pk).update(state=state)
    mail.outbox.clear()
    tasks.send_decision_notice(comment.pk)
    tasks.send_decision_notice(comment.pk)
    assert [message.to for message in mail.outbox] == [["amina@example.org"]]


def test_a_digest_run_twice_in_one_period_mails_each_coordinator_once(section, coordinator):
    coordinator.email = "coord@example.org"
    coordinator.save()
    services.comment_screen(comment_id=pending(section, text="Waiting for a coordinator.").pk)
    mail.outbox.clear()
    assert tasks.send_review_digest() == 1
    assert tasks.send_review_digest() == 1
    assert [message.to for message in mail.outbox] == [["coord@example.org"]]


def test_a_send_that_fails_is_sent_on_the_retry_and_no_address_is_kept(section, monkeypatch):
    comment = approved_comment(section, text="Decided.", user_email="amina@example.org")
    mail.outbox.clear()
    from django.core.mail import EmailMultiAlternatives

    send = EmailMultiAlternatives.send

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(OSError):
        tasks.send_decision_notice.run(comment.pk)
    assert not SentMail.objects.exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    tasks.send_decision_notice.run(comment.pk)
    assert len(mail.outbox) == 1
    row = SentMail.objects.get()
    assert "amina" not in f"{row.kind} {row.object_key} {row.recipient_key}"
