"""Issue 12, a poster's comment after it was posted: corrections, withdrawals that keep the replies of
others, rejections in the poster's language, private answers from the desk, links from SITE_URL."""

from __future__ import annotations

import importlib

import pytest
from celery.signals import task_prerun
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments import mail as comment_mail
from comments import revisions, services, tokens
from comments.models import CommentRevision, ModerationEvent, OrgComment, PrivateMessage, RejectionReason, State
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.django_db

POSTER = "hidden-poster@collective.example"
ORIGINAL = "Peer outreach must be funded by the state."
CORRECTED = "Peer outreach must be funded by the state, and led by sex workers."


@pytest.fixture
def desk(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def default_reasons(db) -> None:
    """The reasons and translations the migrations add (a transactional test elsewhere may have flushed them)."""
    importlib.import_module("comments.migrations.0004_default_rejection_reasons").add_reasons(django_apps, None)
    importlib.import_module("comments.migrations.0011_rejection_reason_translations").add_translations(
        django_apps, None
    )


@pytest.fixture
def published(section) -> OrgComment:
    return approved_comment(section, text=ORIGINAL, user_email=POSTER, organisation_name="Shelter Collective")


def link(comment: OrgComment, name: str) -> str:
    return f"/comments/{name}/{tokens.withdraw_token(comment)}/"


# --- Correcting ---------------------------------------------------------------------------------


def test_a_correction_waits_and_the_published_text_stays_until_it_is_approved(
    client, desk, section, published, django_capture_on_commit_callbacks
):
    reader = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(link(published, "correct"), {"comment": CORRECTED})
    assert response.status_code == 302
    page = reader.get(response["Location"]).content.decode()
    assert "a coordinator will read it" in page

    revision = CommentRevision.objects.get(comment=published)
    assert revision.status == "pending" and revision.spam_score is not None  # screened by its task
    section_page = reader.get(section.get_absolute_url()).content.decode()
    assert ORIGINAL in section_page and "led by sex workers" not in section_page
    assert 'class="edited"' not in section_page

    corrections = desk.get("/desk/corrections/").content.decode()
    assert ORIGINAL in corrections and CORRECTED in corrections
    assert POSTER not in corrections
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/desk/corrections/{revision.pk}/approve/")
    section_page = reader.get(section.get_absolute_url()).content.decode()
    assert "led by sex workers" in section_page
    assert '<span class="edited">edited</span>' in section_page
    actions = list(published.events.values_list("action", flat=True))
    assert {"correct", "screen", "correct_approve"} <= set(actions)
    published.refresh_from_db()
    assert published.state == State.APPROVED and published.edited_at is not None


def test_a_rejected_correction_leaves_the_comment_as_it_was(published, coordinator):
    revision = revisions.correction_propose(comment=published, text=CORRECTED)
    revisions.correction_reject(revision=revision, by=coordinator, note="changes the meaning")
    published.refresh_from_db()
    assert published.comment == ORIGINAL and published.edited_at is None
    with pytest.raises(services.CommentError):
        revisions.correction_approve(revision=revision, by=coordinator)


def test_a_correction_with_an_empty_text_is_refused_in_the_posters_language_and_keeps_nothing(client, published):
    response = client.post("/fr" + link(published, "correct"), {"comment": "   "})
    assert response.status_code == 400
    assert "Veuillez écrire votre commentaire." in response.content.decode()
    assert not CommentRevision.objects.exists()


def test_a_withdrawn_comment_can_no_longer_be_corrected(client, published):
    services.comment_withdraw(comment=published)
    response = client.post(link(published, "correct"), {"comment": CORRECTED})
    assert response.status_code == 400
    assert not CommentRevision.objects.exists()


# --- Withdrawing, the replies of others kept ----------------------------------------------------


def test_withdrawing_keeps_the_replies_of_others_under_a_placeholder(client, section, published):
    reply = approved_comment(section, parent=published, text="We at Rights Now agree.")
    answer = approved_comment(section, parent=reply, text="And we add our voice.")
    page = client.get(link(published, "withdraw")).content.decode()
    assert "2 replies by others were published under it. They stay" in page
    client.post(link(published, "withdraw"))

    section_page = client.get(section.get_absolute_url()).content.decode()
    assert ORIGINAL not in section_page and "Shelter Collective" not in section_page
    assert "This comment was withdrawn by its author." in section_page
    assert "We at Rights Now agree." in section_page and "And we add our voice." in section_page
    for kept in (reply, answer):
        response = client.get(f"/comments/c/{kept.pk}/")
        assert response.status_code == 302 and response["Location"].endswith(f"#c{kept.pk}")
    assert client.get(f"/comments/c/{published.pk}/").status_code == 404
    # Counts, feeds and exports read visible(): the withdrawn comment is in none of them.
    assert not OrgComment.objects.visible().filter(pk=published.pk).exists()
    feed = client.get(f"/comments/feeds/{section.document.slug}/{section.key}.atom").content.decode()
    assert ORIGINAL not in feed and "We at Rights Now agree." in feed


def test_a_withdrawn_comment_without_replies_leaves_no_placeholder(client, section, published):
    client.post(link(published, "withdraw"))
    assert "withdrawn by its author" not in client.get(section.get_absolute_url()).content.decode()


def test_a_reply_still_waiting_is_not_published_by_the_withdrawal(section, published):
    waiting = approved_comment(section, parent=published, text="Waiting reply.")
    OrgComment.objects.filter(pk=waiting.pk).update(state=State.REVIEW, is_public=False)
    services.comment_withdraw(comment=published)
    waiting.refresh_from_db()
    assert not waiting.is_public
    assert not OrgComment.objects.visible().filter(pk=waiting.pk).exists()


def test_a_withdrawn_comment_cannot_be_replied_to(section, published):
    services.comment_withdraw(comment=published)
    published.refresh_from_db()
    with pytest.raises(services.CommentError):
        services.comment_submit(
            submission=services.Submission(
                target=section,
                parent=published,
                text="A reply.",
                kind="comment",
                email="other@example.org",
                signature=services.Signature(),
                language="en",
            )
        )


def _section_queries(client, section) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(section.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_section_page_keeps_its_query_count_with_placeholders(client, section, published, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    approved_comment(section, parent=published, text="A reply.")
    client.get(section.get_absolute_url())
    before = _section_queries(client, section)
    services.comment_withdraw(comment=published)
    for n in range(5):
        parent = approved_comment(section, text=f"Another {n}.")
        approved_comment(section, parent=parent, text=f"Reply {n}.")
        services.comment_withdraw(comment=parent)
    assert _section_queries(client, section) == before


# --- Rejections --------------------------------------------------------------------------------


def test_the_rejection_mail_is_in_french_quotes_the_text_and_asks_for_no_reply_without_the_setting(
    desk, section, default_reasons, django_capture_on_commit_callbacks
):
    comment = approved_comment(section, text="Notre texte rejeté.", user_email=POSTER, language="fr")
    OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False, mail_language="fr")
    reason = RejectionReason.objects.get(title="Off topic")  # from the migrations, with its translations
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/desk/c/{comment.pk}/reject/", {"reason": reason.pk})
    (notice,) = [m for m in mail.outbox if POSTER in m.to]
    assert "Votre commentaire ne porte pas sur la Note d'orientation" in notice.body
    assert "> Notre texte rejeté." in notice.body
    assert "répondez" not in notice.body and not notice.reply_to


def test_with_a_reply_to_the_rejection_mail_says_replies_are_read(
    desk, section, settings, default_reasons, django_capture_on_commit_callbacks
):
    settings.COMMENTS_REPLY_TO = "coordinators@campaign.example"
    comment = approved_comment(section, text="Our text.", user_email=POSTER)
    OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False)
    reason = RejectionReason.objects.get(title="Off topic")
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/desk/c/{comment.pk}/reject/", {"reason": reason.pk})
    (notice,) = [m for m in mail.outbox if POSTER in m.to]
    assert notice.reply_to == ["coordinators@campaign.example"]
    assert "reply to this mail: the coordinators read the replies" in notice.body


def test_rejection_reasons_are_edited_in_every_language_on_the_desk(desk, default_reasons):
    reason = RejectionReason.objects.get(title="Abusive")
    page = desk.get(f"/desk/reasons/{reason.pk}/").content.decode()
    assert "Votre commentaire attaque" in page
    data = {"title": "Abusive", "text": "Abuse.", "text_fr": "Injures.", "text_es": "", "text_ru": "Оскорбления."}
    desk.post(f"/desk/reasons/{reason.pk}/", {**data, "position": 1})
    reason.refresh_from_db()
    assert (reason.text_in("fr"), reason.text_in("es"), reason.text_in("ru")) == ("Injures.", "Abuse.", "Оскорбления.")


def test_the_translations_migration_keeps_a_coordinators_own_translation(default_reasons):
    RejectionReason.objects.filter(title="Duplicate").update(text_fr="Déjà reçu.")
    importlib.import_module("comments.migrations.0011_rejection_reason_translations").add_translations(
        django_apps, None
    )
    reasons = {r.title: r for r in RejectionReason.objects.all()}
    assert reasons["Duplicate"].text_fr == "Déjà reçu."
    assert all(r.text_fr and r.text_es and r.text_ru for r in reasons.values())


# --- Private answers -----------------------------------------------------------------------------


def test_a_private_answer_is_mailed_once_by_a_task_given_only_an_id(
    desk, published, django_capture_on_commit_callbacks
):
    published_tasks: list[tuple] = []

    def record(sender=None, args=None, kwargs=None, **extra):
        published_tasks.append((sender.name, list(args), dict(kwargs or {})))

    page = desk.get(f"/desk/c/{published.pk}/log/").content.decode()
    assert "Answer the poster privately" in page and POSTER not in page
    task_prerun.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(
                f"/desk/c/{published.pk}/message/", {"text": "Write to us at the clinic.", "next": "/desk/"}
            )
    finally:
        task_prerun.disconnect(record)
    assert response.status_code == 302
    (sent,) = [m for m in mail.outbox if POSTER in m.to]
    assert "Write to us at the clinic." in sent.body and "> Peer outreach" in sent.body
    message = PrivateMessage.objects.get()
    assert message.sent_at is not None
    assert published_tasks == [("comments.tasks.send_private_message", [message.pk], {})]
    event = ModerationEvent.objects.filter(comment=published, action="message").get()
    assert POSTER not in event.reason and "sent to the poster" in event.reason
    # The task run again (acks late, a retry) sends nothing more.
    from comments import tasks

    assert tasks.send_private_message(message.pk) is False
    assert len([m for m in mail.outbox if POSTER in m.to]) == 1
    log = desk.get(f"/desk/c/{published.pk}/log/").content.decode()
    assert "Private message sent to the poster" in log and POSTER not in log


def test_a_private_answer_to_an_erased_poster_is_refused(desk, published):
    services.comment_erase(comment=published)
    desk.post(f"/desk/c/{published.pk}/message/", {"text": "Hello."})
    assert not PrivateMessage.objects.exists()


# --- Links from SITE_URL, readable mail ----------------------------------------------------------


def test_the_comment_feeds_link_to_site_url_never_to_example_com(client, section, published, settings):
    settings.SITE_URL = "https://note.campaign.example"  # not what the Site record says
    for path in (
        f"/comments/feeds/{section.document.slug}.atom",
        f"/comments/feeds/{section.document.slug}/{section.key}.atom",
    ):
        body = client.get(path).content.decode()
        assert "example.com" not in body
    body = client.get(f"/comments/feeds/{section.document.slug}/{section.key}.atom").content.decode()
    assert f'href="{settings.SITE_URL}/comments/c/{published.pk}/"' in body


def test_the_site_record_follows_site_url_after_migrate(settings):
    from django.contrib.sites.models import Site

    from campaign.lib.sites import sync_site

    settings.SITE_URL = "http://127.0.0.1:8123"
    sync_site()
    assert Site.objects.get_current().domain == "127.0.0.1:8123"


def test_the_sitemap_links_come_from_site_url(client, settings, note):
    settings.SITE_URL = "http://127.0.0.1:8123"
    body = client.get("/sitemap.xml").content.decode()
    assert "http://127.0.0.1:8123/" in body and "example.com" not in body


def test_mail_with_long_links_and_accents_reads_as_text(published, settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    OrgComment.objects.filter(pk=published.pk).update(mail_language="fr")
    published.refresh_from_db()
    comment_mail.send_confirmation(published, "t" * 43)
    # As the console and file backends write it (bytes: a str would re-encode 8bit parts).
    raw = mail.outbox[-1].message().as_bytes().decode()
    assert "quoted-printable" not in raw and "base64" not in raw
    assert f"http://127.0.0.1:8123/fr/comments/confirm/{'t' * 43}/" in raw
    assert "é" in raw


def test_a_long_paragraph_is_quoted_in_lines_a_mail_carries_as_text():
    quoted = comment_mail.quote("word " * 400)
    assert all(len(line) <= 78 and line.startswith(">") for line in quoted.splitlines())
