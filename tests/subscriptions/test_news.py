"""News mailed to subscribers: new versions, the consultation closing, the working group's replies.

Each piece of news is recorded once, its recipients listed in batches (one task per batch, ids only),
and each subscriber mailed once, however often a task runs.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from celery import current_app
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone, translation
from django.utils.formats import date_format

from campaign.subscriptions import mail as subscription_mail
from campaign.subscriptions import queue, services, tasks
from campaign.subscriptions.models import Delivery, News, Subscriber, Topic
from comments import desk_services
from comments.models import OrgComment
from tests import factories
from tests.comments.builders import approved_comment
from tests.subscriptions.builders import make_subscriber
from tests.subscriptions.conftest import links, outbox_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(note):
    """The shared note, its versions published a month ago: old news, which the hourly check leaves alone."""
    note.versions.update(published=timezone.now() - timedelta(days=30))
    return note


@pytest.fixture
def queued(monkeypatch):
    """Record the tasks queued (name, args) instead of running them."""
    calls: list[tuple[str, tuple]] = []

    def record(self, args=None, kwargs=None, **options):
        calls.append((self.name, tuple(args or ())))

    monkeypatch.setattr(type(current_app.tasks[queue.SEND_NEWS]), "apply_async", record)
    return calls


def test_every_task_the_services_name_is_registered():
    assert set(queue.NAMES) <= set(current_app.tasks)


def test_250_subscribers_make_three_batch_tasks_of_ids(queued, settings):
    settings.SUBSCRIPTIONS_BATCH_SIZE = 100
    subscribers = [make_subscriber(f"r{n}@example.org", topics=[Topic.NEW_VERSIONS])[0] for n in range(250)]
    make_subscriber("closing-only@example.org", topics=[Topic.CLOSING])
    make_subscriber("unconfirmed@example.org", confirmed=False)
    news = News.objects.create(kind=News.Kind.VERSION, object_id=1)
    assert tasks.queue_news(news.pk) == 3
    assert [name for name, _args in queued] == [queue.SEND_NEWS] * 3
    batches = [args[1] for _name, args in queued]
    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert sorted(pk for batch in batches for pk in batch) == sorted(s.pk for s in subscribers)
    assert all(args[0] == news.pk and all(type(pk) is int for pk in args[1]) for _name, args in queued)
    news.refresh_from_db()
    assert news.queued_at is not None


def test_a_batch_run_twice_mails_each_subscriber_once(note):
    version = note.versions.get(number=2)
    news = News.objects.create(kind=News.Kind.VERSION, object_id=version.pk)
    ids = [make_subscriber(f"r{n}@example.org")[0].pk for n in range(5)]
    assert tasks.send_news(news.pk, ids) == 5
    assert tasks.send_news(news.pk, ids) == 0
    assert tasks.queue_news(news.pk) == 0  # nobody is left to mail
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        f"r{n}@example.org" for n in range(5)
    )
    assert Delivery.objects.filter(news=news).count() == 5


def test_a_mail_server_failing_halfway_is_retried_for_the_rest_only(note, monkeypatch):
    version = note.versions.get(number=2)
    news = News.objects.create(kind=News.Kind.VERSION, object_id=version.pk)
    ids = [make_subscriber(f"r{n}@example.org")[0].pk for n in range(4)]
    original = EmailBackend.send_messages
    calls = {"count": 0}

    def flaky(self, messages):
        calls["count"] += 1
        if calls["count"] == 3:
            raise ConnectionResetError("the mail server went away")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with pytest.raises(ConnectionResetError):
        services.deliver(news_id=news.pk, subscriber_ids=ids, send=lambda _n, s: _send_one(news, s))
    assert len(mail.outbox) == 2 and Delivery.objects.count() == 2  # the failed one's row rolled back
    assert services.deliver(news_id=news.pk, subscriber_ids=ids, send=lambda _n, s: _send_one(news, s)) == 2
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(f"r{n}@example.org" for n in range(4))


def _send_one(news, subscriber):
    subscription_mail.send_news(subscription_mail.about(news.pk), subscriber)


def test_a_published_version_is_mailed_to_those_who_asked_in_their_language(note, django_capture_on_commit_callbacks):
    make_subscriber("versions@example.org", topics=[Topic.NEW_VERSIONS])
    make_subscriber("lecteur@example.org", topics=[Topic.NEW_VERSIONS], language="fr")
    make_subscriber("closing@example.org", topics=[Topic.CLOSING])
    with django_capture_on_commit_callbacks(execute=True):
        version = factories.VersionFactory(document=note, number=3, label="Reworked draft 2", changelog="Shorter.")
    (english,) = outbox_to("versions@example.org")
    assert english.subject == "New version of Guidance Note on HIV and sex work: Reworked draft 2"
    assert f"http://127.0.0.1:8000{version.get_absolute_url()}" in english.body
    assert "> Shorter." in english.body
    assert english.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(links(english)) == {"confirm", "manage", "unsubscribe"} - {"confirm"}
    (french,) = outbox_to("lecteur@example.org")
    assert french.subject.startswith("Nouvelle version")
    assert f"http://127.0.0.1:8000/fr/note/{note.slug}/v3/" in french.body
    assert "/fr/subscriptions/manage/" in french.body
    assert not outbox_to("closing@example.org")
    # Saved again (a correction of its label): no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        version.label = "Reworked draft 2, corrected"
        version.save()
    assert len(mail.outbox) == 2


def test_the_mail_leads_to_a_translation_where_one_is_published(note):
    draft = note.versions.get(number=2)
    french = factories.VersionFactory(document=note, number=2, language="fr", label="Projet 1", translation_of=draft)
    make_subscriber("lecteur@example.org", topics=[Topic.NEW_VERSIONS], language="fr")
    news = services.announce(kind=News.Kind.VERSION, object_id=draft.pk)
    tasks.queue_news(news.pk)
    (message,) = mail.outbox
    assert "Projet 1" in message.subject and "Reworked draft" not in message.body
    with translation.override("fr"):
        assert f"http://127.0.0.1:8000{french.get_absolute_url()}\n" in message.body


def test_translations_and_unpublished_versions_are_not_news(note, django_capture_on_commit_callbacks):
    make_subscriber("versions@example.org", topics=[Topic.NEW_VERSIONS])
    draft = note.versions.get(number=2)
    with django_capture_on_commit_callbacks(execute=True):
        factories.VersionFactory(document=note, number=2, language="fr", label="Projet", translation_of=draft)
        factories.VersionFactory(document=note, number=5, published=None)
        factories.VersionFactory(document=note, number=6, published=timezone.now() + timedelta(days=2))
    assert not mail.outbox and not News.objects.exists()


def test_the_consultation_closing_is_mailed_once_the_day_after(note, django_capture_on_commit_callbacks):
    make_subscriber("closing@example.org", topics=[Topic.CLOSING], language="es")
    make_subscriber("replies@example.org", topics=[Topic.REPLIES])
    today = timezone.localdate()
    note.consultation_closes = today
    note.save()
    assert tasks.announce_due() == 0  # closes today: still open
    note.consultation_closes = today - timedelta(days=1)
    note.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_due() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_due() == 0  # the hour after: already told
    (message,) = mail.outbox
    assert message.to == ["closing@example.org"]
    assert message.subject == "Se ha cerrado la consulta sobre Guidance Note on HIV and sex work"
    with translation.override("es"):
        closed_on = date_format(today - timedelta(days=1), "DATE_FORMAT")
    assert f"se cerró el {closed_on}." in message.body
    assert f"http://127.0.0.1:8000/es/note/{note.slug}/" in message.body


def test_a_consultation_closed_long_ago_is_not_news(note):
    make_subscriber("closing@example.org", topics=[Topic.CLOSING])
    note.consultation_closes = datetime.date(2020, 1, 31)
    note.save()
    assert tasks.announce_due() == 0 and not News.objects.exists()


def test_an_official_reply_is_mailed_when_the_working_group_publishes_it(
    section, coordinator, django_capture_on_commit_callbacks
):
    make_subscriber("replies@example.org", topics=[Topic.REPLIES])
    make_subscriber("versions@example.org", topics=[Topic.NEW_VERSIONS])
    question = approved_comment(section, text="Does this cover migrants?", name="Luz")
    with django_capture_on_commit_callbacks(execute=True):
        approved_comment(section, text="An ordinary answer.", parent=question)
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        reply = desk_services.official_reply(
            parent=question, text="Yes: section 4 covers migrant sex workers.", language="en", by=coordinator
        )
    assert reply.official and reply.is_public
    (message,) = mail.outbox
    assert message.to == ["replies@example.org"]
    assert message.subject == f"The working group replied on “{section.comment_title()}”"
    assert "> Yes: section 4 covers migrant sex workers." in message.body
    assert f"http://127.0.0.1:8000/comments/c/{reply.pk}/" in message.body
    assert News.objects.get().kind == News.Kind.REPLY


def test_a_reply_hidden_before_its_mail_goes_out_is_not_mailed(section):
    make_subscriber("replies@example.org", topics=[Topic.REPLIES])
    reply = approved_comment(section, text="An official answer.", official=True)
    news = services.announce(kind=News.Kind.REPLY, object_id=reply.pk)
    OrgComment.objects.filter(pk=reply.pk).update(state="withdrawn", is_public=False)
    tasks.queue_news(news.pk)
    assert not mail.outbox


def test_who_subscribed_after_the_news_is_not_told_of_it(note):
    news = services.announce(kind=News.Kind.VERSION, object_id=note.versions.get(number=2).pk)
    News.objects.filter(pk=news.pk).update(created=timezone.now() - timedelta(minutes=5))
    make_subscriber("late@example.org")
    tasks.queue_news(news.pk)
    assert not mail.outbox


def test_the_hourly_check_announces_lost_news_and_queues_unqueued_batches(note, django_capture_on_commit_callbacks):
    make_subscriber("versions@example.org", topics=[Topic.NEW_VERSIONS])
    make_subscriber("replies@example.org", topics=[Topic.REPLIES])
    # A version whose own task was lost, and a reply of the working group's, published an hour ago.
    version = factories.VersionFactory(document=note, number=3)
    reply = approved_comment(note.sections.first(), text="Our answer.", official=True)
    OrgComment.objects.filter(pk=reply.pk).update(state_changed_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_due() == 2
    assert {(n.kind, n.object_id) for n in News.objects.all()} == {("version", version.pk), ("reply", reply.pk)}
    assert sorted(a for m in mail.outbox for a in m.to) == ["replies@example.org", "versions@example.org"]
    # A piece of news whose batches were never queued (its message lost): queued again after half an hour.
    stalled = News.objects.create(
        kind=News.Kind.CLOSING, object_id=note.pk, created=timezone.now() - timedelta(hours=1)
    )
    make_subscriber("closing@example.org", topics=[Topic.CLOSING], age=timedelta(days=1))
    tasks.announce_due()
    stalled.refresh_from_db()
    assert stalled.queued_at is not None
    assert len(outbox_to("closing@example.org")) == 1


def test_unsubscribing_deletes_the_deliveries_too(note):
    subscriber, token = make_subscriber("gone@example.org")
    news = services.announce(kind=News.Kind.VERSION, object_id=note.versions.get(number=2).pk)
    tasks.send_news(news.pk, [subscriber.pk])
    assert Delivery.objects.count() == 1
    assert services.unsubscribe(token=token)
    assert not Subscriber.objects.exists() and not Delivery.objects.exists()
