"""A subscriber's address leaks into nothing the site emits, and is gone once they unsubscribe.

Noor subscribes (twice), confirms, changes her choices; a version, an official reply and the closing of
the consultation are mailed to her; a superuser reads every admin and desk page and the export; she
unsubscribes in one click. Meanwhile every response to everyone, every log record (as the site's
handlers have it), every task's arguments, and every mail not addressed to her are recorded. Her
address may appear in none of them, and her link's token only in her own mail and the pages her link
opens; at the end no table holds her address or its keyed hash.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from celery.signals import task_prerun
from django.conf import settings as django_settings
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from campaign.subscriptions import keys, tasks
from campaign.subscriptions.models import Subscriber, Topic
from comments import desk_services
from tests import factories
from tests.admin_pages import admin_pages, desk_pages
from tests.comments.builders import approved_comment
from tests.subscriptions.conftest import LINK, links

pytestmark = pytest.mark.django_db

EMAIL = "noor.k5@quiet-collective.example"


class Recorder:
    def __init__(self) -> None:
        self.texts: list[tuple[str, str, bool]] = []  # (where, text, seen by Noor alone)
        self.task_args: list[tuple[str, object]] = []

    def add(self, where: str, text: object, *, hers: bool = False) -> None:
        self.texts.append((where, str(text), hers))

    def leaks(self, secrets: dict[str, str]) -> list[str]:
        found = []
        for where, text, hers in self.texts:
            for name, secret in secrets.items():
                # Her own pages and mail carry her token (the link she holds), never her address.
                if secret in text and not (hers and name == "token"):
                    at = text.find(secret)
                    found.append(f"{name} in {where}: ...{text[max(0, at - 80) : at + 80]}...")
        return found


class RecordingClient(Client):
    def __init__(self, recorder: Recorder, *, hers: bool, **defaults) -> None:
        super().__init__(**defaults)
        self.recorder, self.hers = recorder, hers

    def request(self, **request):
        response = super().request(**request)
        where = f"{request.get('REQUEST_METHOD')} {request.get('PATH_INFO')} -> {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.streaming:
            response.streaming_content = [body]
        for part, text in (("headers", list(response.items())), ("body", body.decode(errors="replace"))):
            self.recorder.add(f"{where} ({part})", text, hers=self.hers)
        return response


class RecordingHandler(logging.Handler):
    """Every record, as the site's own handlers have it: through the filters LOGGING gives them."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.DEBUG)
        self.recorder = recorder
        self.count = 0
        for name in django_settings.LOGGING["handlers"]:
            for log_filter in logging.getHandlerByName(name).filters:
                self.addFilter(log_filter)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.recorder.add(f"log {record.name}", self.format(record))
        self.recorder.add(f"log {record.name} (fields)", {k: v for k, v in vars(record).items() if isinstance(v, str)})


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    handler = RecordingHandler(recorder)
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.root or not logger.propagate:
            logger.addHandler(handler)

    def started(sender=None, task=None, args=None, kwargs=None, **extra):
        recorder.task_args.append((task.name, (args, kwargs)))
        recorder.add(f"task {task.name}", (args, kwargs))

    task_prerun.connect(started, weak=False)
    yield recorder
    task_prerun.disconnect(started)
    for logger, level in levels:
        logger.setLevel(level)
        logger.removeHandler(handler)
    assert handler.count > 0, "no log record was captured"


def table_texts() -> Iterator[tuple[str, str]]:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            yield table, str(cursor.fetchall())


def test_the_address_leaks_nowhere_and_is_gone_after_unsubscribing(
    recorder, note, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.SUBSCRIPTIONS_RESEND_MINUTES = 0
    note.versions.update(published=timezone.now() - timedelta(days=30))
    noor = RecordingClient(recorder, hers=True, HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Her mail reader posts to her link: it holds the token, as she does.
    mail_reader = RecordingClient(recorder, hers=True, enforce_csrf_checks=True)
    reader = RecordingClient(recorder, hers=False)

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    # She subscribes, twice; the answer is the page that names no address.
    for _ in range(2):
        answer = run(lambda: noor.post("/subscriptions/", {"email": EMAIL, "topics": list(Topic.values)}, follow=True))
        assert answer.status_code == 200 and "Check your mail" in answer.content.decode()
    assert EMAIL not in answer.content.decode()
    paths = links(mail.outbox[0])
    token = LINK.search(mail.outbox[0].body).group(3)
    noor.get(paths["confirm"])
    noor.post(paths["confirm"])
    noor.get(paths["manage"])
    noor.post(paths["manage"], {"topics": list(Topic.values), "language": "en"}, follow=True)
    noor.put(paths["manage"])  # a wrong method: Django logs the path, which must not hold the token
    reader.get(f"/subscriptions/confirm/{token[:-2]}xx/")  # a mistyped link: 404, logged

    # News: a version, an official reply, the consultation closing.
    run(lambda: factories.VersionFactory(document=note, number=3, label="Reworked draft 2"))
    question = approved_comment(note.sections.first(), text="Does it cover migrants?")
    run(lambda: desk_services.official_reply(parent=question, text="Yes.", language="en", by=coordinator))
    note.consultation_closes = timezone.localdate() - timedelta(days=1)
    note.save()
    run(tasks.announce_due)
    hers = [message for message in mail.outbox if message.to == [EMAIL]]
    assert len(hers) == 5  # confirm twice (no wait set here), then three pieces of news
    for message in mail.outbox:
        text = message.message().as_bytes().decode()
        if message.to == [EMAIL]:
            text = re.sub(rf"^To: {re.escape(EMAIL)}$", "To: [her]", text, flags=re.MULTILINE)
        recorder.add(f"mail {message.subject!r}", text, hers=message.to == [EMAIL])

    # A superuser reads every admin page and the desk, export included, while she is subscribed.
    assert Subscriber not in admin.site._registry
    staff = RecordingClient(recorder, hers=False)
    staff.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in (*admin_pages(), *desk_pages()):
        staff.get(url)
    # Only the subscribers' own table holds her address while she is subscribed.
    assert [table for table, text in table_texts() if EMAIL in text] == ["subscriptions_subscriber"]

    # One click in her mail reader: everything about her is gone.
    unsubscribe = hers[-1].extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.SITE_URL)
    assert mail_reader.post(unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert not Subscriber.objects.exists()
    for table, text in table_texts():
        assert EMAIL not in text and keys.subscriber_key(EMAIL) not in text, table
        assert keys.hash_token(token) not in text, table

    logged = "\n".join(text for where, text, _hers in recorder.texts if where.startswith("log "))
    assert "/subscriptions/manage/[token]/" in logged and "/subscriptions/confirm/[token]/" in logged, logged
    leaks = recorder.leaks({"email": EMAIL, "email's name": "noor.k5", "token": token})
    assert not leaks, "\n".join(leaks)
    names = {name for name, _args in recorder.task_args}
    assert {"campaign.subscriptions.tasks.send_request_mail", "campaign.subscriptions.tasks.send_news"} <= names
    for name, (args, kwargs) in recorder.task_args:
        if name.startswith("campaign.subscriptions."):
            flat = [a for arg in args for a in (arg if isinstance(arg, list) else [arg])]
            assert all(type(a) is int for a in flat) and not kwargs, (name, args, kwargs)
