"""A whole journey, watched everywhere: a poster's email and address leak into nothing the site emits.

Zarina posts anonymously (with her email) from behind a proxy, confirms, a coordinator moderates
on the desk, another organisation replies, she replies back, readers read pages and feeds, the
coordinator exports endorsements, she corrects her comment and the coordinator approves the
correction and answers her privately from the desk, she withdraws her reply, downloads her data
and erases both her comments, and the nightly purge runs. Meanwhile the test records:

- every response: status, headers, cookies, redirect target and body, for every client;
- every log record of every logger, at DEBUG, formatted with its exception, as the site's own log
  handlers have it (with the filters LOGGING gives them);
- every Celery task run: name, arguments and keyword arguments;
- every mail: all of it, except the recipient header of the mails sent to Zarina herself;
- every page of the admin (the changelist and change forms of every registered model, read by a
  superuser) and of the desk, while her comments are there;
- at the end, every row of every table and every value in the cache.

Neither her email nor her client address (X-Forwarded-For, trusted: one proxy) nor the proxy's
address (REMOTE_ADDR) may appear in any of them. Her address's keyed hash and the tokens of the links mailed
to her and to the other organisation may appear only in those mails and in the pages those links
open for their holders: never in a log, a task, the database, the cache, or a page anyone else sees.
Pages that give a poster back what she typed (a form shown again with an error) are the one place
her email may appear, to her alone; this journey does not include them (tests/comments/test_bad_input.py covers them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from celery.signals import before_task_publish, task_prerun
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client

from campaign.lib import privacy
from comments import tasks
from comments.models import OrgComment, State
from tests import factories
from tests.admin_pages import admin_pages, desk_pages
from tests.comments.conftest import form_data

pytestmark = pytest.mark.django_db

EMAIL = "zarina.q7@hidden-collective.example"
ADDRESS = "203.0.113.158"  # Zarina's own address, as her ISP's proxy forwards it
PROXY = "192.0.2.201"  # the proxy's address: the connection the site sees
SECRETS = {"email": EMAIL, "email's name": "zarina.q7", "address": ADDRESS, "proxy address": PROXY}
# The posters' own clients: the pages their links open carry those links' tokens, to them alone.
OWNERS = ("zarina", "other org", "strict csrf")
MAILED_TOKEN = re.compile(r"/comments/(?:confirm|withdraw|yours|mute)/([^/\s]+)/")


class Recorder:
    """Everything the site emitted during the journey, as (where, text) pairs."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, bool]] = []
        self.tasks: list[str] = []
        self.tokens: set[str] = set()

    def add(self, where: str, text: object, *, owner: bool = False) -> None:
        """Record a text; ``owner`` when only the holder of a mailed link sees it (their mail, their pages)."""
        self.items.append((where, str(text), owner))

    def leaks(self) -> list[str]:
        # Her own data download holds her address hash: hers to see, nobody else's.
        theirs = {"address hash": privacy.address_hash(ADDRESS)}
        theirs.update({f"token {token[:6]}...": token for token in self.tokens})
        return [
            f"{name} in {where}: ...{text[max(0, text.find(secret) - 80) : text.find(secret) + 80]}..."
            for where, text, owner in self.items
            for name, secret in ({**SECRETS, **theirs} if not owner else SECRETS).items()
            if secret in text
        ]


class RecordingClient(Client):
    """A test client that records every response it gets, redirects followed included."""

    def __init__(self, recorder: Recorder, name: str, **defaults) -> None:
        super().__init__(**defaults)
        self.recorder = recorder
        self.name = name

    def request(self, **request):
        response = super().request(**request)
        where = f"{self.name}: {request.get('REQUEST_METHOD')} {request.get('PATH_INFO')} -> {response.status_code}"
        owner = self.name in OWNERS
        if response.streaming:
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]
        else:
            body = response.content
        self.recorder.add(f"{where} (headers)", list(response.items()), owner=owner)
        self.recorder.add(f"{where} (cookies)", response.cookies.output(), owner=owner)
        self.recorder.add(f"{where} (body)", body.decode("utf-8", errors="replace"), owner=owner)
        self.recorder.add(f"{where} (redirect)", getattr(response, "url", ""), owner=owner)
        return response


class RecordingHandler(logging.Handler):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.DEBUG)
        self.recorder = recorder
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.count = 0
        # Records as the site's own handlers get them: through the filters LOGGING gives them.
        for name in django_settings.LOGGING["handlers"]:
            for log_filter in logging.getHandlerByName(name).filters:
                self.addFilter(log_filter)

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        extras = {key: value for key, value in vars(record).items() if isinstance(value, str)}
        self.recorder.add(f"log {record.name}", self.format(record))
        self.recorder.add(f"log {record.name} (fields)", extras)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """Record every log record (all loggers at DEBUG) and every Celery task's arguments."""
    recorder = Recorder()
    handler = RecordingHandler(recorder)
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is logging.root or not logger.propagate:
            logger.addHandler(handler)

    def published(sender=None, body=None, headers=None, **kwargs):
        recorder.add(f"task message {sender}", (body, headers))

    def started(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
        recorder.tasks.append(task.name)
        recorder.add(f"task {task.name}", (args, kwargs))

    before_task_publish.connect(published, weak=False)
    task_prerun.connect(started, weak=False)
    yield recorder
    before_task_publish.disconnect(published)
    task_prerun.disconnect(started)
    for logger, level in levels:
        logger.setLevel(level)
        logger.removeHandler(handler)
    assert handler.count > 0, "no log record was captured: is the handler attached?"


def mail_link(message, kind: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/comments/{kind}/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def record_mail(recorder: Recorder) -> None:
    for number, message in enumerate(mail.outbox):
        # As the backends write it: as_string() would re-encode an 8bit body in base64, hiding it.
        text = message.message().as_bytes().decode()
        recorder.tokens.update(MAILED_TOKEN.findall(message.body))
        if message.to == [EMAIL]:
            # Her own mail necessarily names her address as its recipient: nothing else may.
            text = re.sub(rf"^To: {re.escape(EMAIL)}$", "To: [her]", text, flags=re.MULTILINE)
        recorder.add(f"mail #{number} {message.subject!r}", text, owner=True)


def record_database(recorder: Recorder) -> None:
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            recorder.add(f"table {table}", cursor.fetchall())


def record_cache(recorder: Recorder) -> None:
    cache = caches["default"]
    if isinstance(getattr(cache, "_cache", None), dict):  # local memory
        for key, value in cache._cache.items():
            recorder.add(f"cache {key}", (key, value))
        return
    client = cache._cache.get_client()
    for key in client.scan_iter(count=1000):
        value = client.get(key) if client.type(key) == b"string" else b""
        recorder.add(f"cache {key!r}", (key, value))


def post(client: RecordingClient, target, **fields):
    response = client.post("/comments/post/", form_data(target, **fields), follow=True)
    assert response.status_code == 200
    return response


def test_a_whole_journey_leaks_neither_email_nor_address(
    recorder, settings, section, note, coordinator, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    zarina = RecordingClient(recorder, "zarina", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ADDRESS)
    other = RecordingClient(recorder, "other org", REMOTE_ADDR="198.51.100.30")
    desk = RecordingClient(recorder, "coordinator", REMOTE_ADDR="198.51.100.31")
    reader = RecordingClient(recorder, "reader", REMOTE_ADDR="198.51.100.32")
    strict = RecordingClient(recorder, "strict csrf", enforce_csrf_checks=True, REMOTE_ADDR=PROXY)

    def committed(action, *args, **kwargs):
        """Run one request or task, then what it queued on commit (as after a real request)."""
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    def approve(comment_id: int) -> None:
        response = committed(desk.post, f"/desk/c/{comment_id}/approve/", {"next": "/desk/"}, follow=True)
        assert response.status_code == 200
        assert OrgComment.objects.get(pk=comment_id).state == State.APPROVED

    # She reads the section, posts anonymously with her email, and confirms from her mail.
    assert zarina.get(section.get_absolute_url()).status_code == 200
    committed(post, zarina, section, email=EMAIL, name="Zarina", display="anonymous", followup="on",
              comment="We are sex workers in a criminalised country.\n\n1. Decriminalise.\n2. Fund peers.")  # fmt: skip
    first = OrgComment.objects.get(user_email=EMAIL)
    confirm = mail_link(mails_to(EMAIL)[-1], "confirm")
    assert zarina.get(confirm).status_code == 200
    assert committed(zarina.post, confirm).status_code == 200

    # The coordinator signs in through the real form, and works on the desk.
    response = desk.post("/admin/login/", {"username": "coordinator", "password": "a-long-test-password"})
    assert response.status_code == 302
    for url in ("/desk/", "/desk/queue/review/", f"/desk/c/{first.pk}/log/"):
        assert desk.get(url).status_code == 200, url
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    superuser = RecordingClient(recorder, "superuser", REMOTE_ADDR="198.51.100.33")
    superuser.force_login(root)
    for url in [*admin_pages(), *desk_pages()]:
        status = superuser.get(url).status_code
        assert status == 200 or (url.endswith("/add/") and status == 403), (url, status)
    approve(first.pk)

    # Another organisation replies; she is told by mail (she follows the thread).
    assert other.get(f"/comments/reply/{first.pk}/").status_code == 200
    committed(post, other, section, email="office@other-org.example", reply_to=str(first.pk), comment="With you.")
    reply = OrgComment.objects.get(user_email="office@other-org.example")
    committed(other.post, mail_link(mails_to("office@other-org.example")[-1], "confirm"))
    approve(reply.pk)
    assert len(mails_to(EMAIL)) == 3, [m.subject for m in mails_to(EMAIL)]  # confirm, approved, follow-up

    # She replies back, and that reply is approved too; the coordinators get their digest.
    committed(post, zarina, section, email=EMAIL, reply_to=str(reply.pk), comment="Thank you, sisters.")
    second = OrgComment.objects.filter(user_email=EMAIL).exclude(pk=first.pk).get()
    committed(zarina.post, mail_link(mails_to(EMAIL)[-1], "confirm"))
    approve(second.pk)
    committed(tasks.send_review_digest.delay)

    # Readers read every public view of it; the coordinator everything on the desk and in the admin.
    slug, key = note.slug, section.key
    for url in (
        "/", "/about/", "/organisations/", "/endorsements/", "/endorsements/?kind=all", "/sitemap.xml",
        note.get_absolute_url(), section.get_absolute_url(), f"/note/{slug}/v2/", f"/note/{slug}/v2/print/",
        f"/note/{slug}/compare/v1/v2/", f"/comments/feeds/{slug}.atom", f"/comments/feeds/{slug}/{key}.atom",
        f"/comments/c/{first.pk}/", f"/comments/reply/{second.pk}/", f"/note/{slug}/versions.atom",
        "/search/?q=decriminalise", "/search/?q=hidden+collective",
    ):  # fmt: skip
        assert reader.get(url, follow=True).status_code == 200, url
    assert f'href="/comments/c/{first.pk}/"' in reader.get("/search/?q=decriminalise").content.decode()
    for url in (
        "/desk/queue/approved/", "/desk/log/", "/desk/stats/", "/desk/organisations/", "/desk/keywords/",
        "/desk/export/endorsements.csv", f"/desk/c/{second.pk}/log/", "/admin/comments/orgcomment/",
        f"/admin/comments/orgcomment/{first.pk}/change/",
    ):  # fmt: skip
        assert desk.get(url).status_code == 200, url

    # Error pages: not found, a form without its CSRF token, a malformed post, a wrong method.
    assert zarina.get("/comments/c/999999/").status_code == 404
    assert zarina.get(f"/no-such-page/{first.pk}/").status_code == 404
    assert strict.post("/comments/withdraw/not-a-token/").status_code == 404
    assert zarina.post("/comments/post/", {"content_type": "guidance.section", "object_pk": "x"}).status_code == 400
    assert zarina.get("/comments/post/").status_code == 405
    assert zarina.get("/comments/yours/forged-token/").status_code == 404

    # She corrects her first comment from her mail; the coordinator approves the correction, and
    # answers her privately (she asked how to reach the working group).
    correct = mail_link(mails_to(EMAIL)[0], "withdraw").replace("/withdraw/", "/correct/")
    assert zarina.get(correct).status_code == 200
    corrected = "We are sex workers in a criminalised country.\n\n1. Decriminalise.\n2. Fund peers.\n3. Listen."
    assert committed(zarina.post, correct, {"comment": corrected}, follow=True).status_code == 200
    assert desk.get("/desk/corrections/").status_code == 200
    revision = first.revisions.get()
    approved = committed(desk.post, f"/desk/corrections/{revision.pk}/approve/", {"next": "/desk/corrections/"})
    assert approved.status_code == 302
    assert "3. Listen." in reader.get(section.get_absolute_url()).content.decode()
    message = {"text": "Write to the working group through the campaign office.", "next": f"/desk/c/{first.pk}/log/"}
    assert committed(desk.post, f"/desk/c/{first.pk}/message/", message).status_code == 302
    assert "Write to the working group" in mails_to(EMAIL)[-1].body
    assert desk.get(f"/desk/c/{first.pk}/log/").status_code == 200

    # She withdraws her reply, then downloads her data and erases both comments, each from its mail.
    withdraw_second = mail_link(mails_to(EMAIL)[-2], "withdraw")
    # Refused answers on her live links: Django logs their paths (the log must not keep the tokens).
    assert zarina.put(withdraw_second).status_code == 405
    assert zarina.post(withdraw_second.replace("/withdraw/", "/yours/") + "erase/").status_code == 400
    assert committed(zarina.post, withdraw_second).status_code == 200
    for withdraw in (mail_link(mails_to(EMAIL)[0], "withdraw"), withdraw_second):
        yours = withdraw.replace("/withdraw/", "/yours/")
        assert zarina.get(yours).status_code == 200
        assert zarina.get(yours + "copy.json").status_code == 200
        assert committed(zarina.post, yours + "erase/", {"understood": "yes"}).status_code == 200
    assert not OrgComment.objects.filter(user_email=EMAIL).exists()
    committed(tasks.purge_personal_data.delay)

    assert set(recorder.tasks) >= {
        "comments.tasks.send_confirmation", "comments.tasks.screen_comment", "comments.tasks.train_classifier",
        "comments.tasks.send_decision_notice", "comments.tasks.notify_followers", "comments.tasks.send_review_digest",
        "comments.tasks.purge_personal_data", "comments.tasks.screen_correction",
        "comments.tasks.send_private_message",
    }  # fmt: skip
    assert len(mails_to(EMAIL)) >= 5  # confirmations, decisions, the follow-up
    record_mail(recorder)
    record_database(recorder)
    record_cache(recorder)
    assert len(recorder.items) > 400
    leaks = recorder.leaks()
    assert not leaks, "\n".join(leaks)
