"""Subscribing to news by email: double opt-in, the same answer for every address, managing, unsubscribing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from campaign.subscriptions import tasks
from campaign.subscriptions.models import Subscriber, Topic
from tests.subscriptions.builders import make_subscriber
from tests.subscriptions.conftest import links, outbox_to, token_of

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def test_the_form_offers_every_topic_ticked_and_hides_the_trap_field(client):
    response = client.get("/subscriptions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="email" name="email"' in page
    for topic in Topic.values:
        assert f'value="{topic}"' in page
    assert page.count('type="checkbox" name="topics"') == 3 and page.count("checked") == 3
    assert '<div class="field hp">' in page
    assert "<form" in page and "csrfmiddlewaretoken" not in page  # a page any reader may get from the cache


def test_the_footer_of_every_page_leads_to_the_form(client, note):
    for path in ("/", "/about/", note.get_absolute_url(), "/fr/about/"):
        page = client.get(path).content.decode()
        assert 'href="/subscriptions/"' in page or 'href="/fr/subscriptions/"' in page, path
    assert 'href="/fr/subscriptions/">Recevoir les nouvelles par e-mail' in client.get("/fr/about/").content.decode()


def test_double_opt_in_mails_a_link_that_confirms_only_on_post(subscribe):
    response = subscribe("Reader@Example.org", [Topic.NEW_VERSIONS, Topic.REPLIES])
    assert response.status_code == 303 and response.url == "/subscriptions/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is None
    assert subscriber.topics == [Topic.NEW_VERSIONS, Topic.REPLIES] and subscriber.language == "en"
    (message,) = mail.outbox
    assert message.to == ["Reader@Example.org"]
    assert "confirm your subscription" in message.subject
    assert "- A new version of the note is published" in message.body
    assert "- The consultation closes" not in message.body
    assert "because this address was given in the form" in message.body  # not subscribed until confirmed
    confirm = links(message)["confirm"]

    reader = Client()
    # A mail scanner or a link preview opens the link: nothing is confirmed.
    page = reader.get(confirm)
    assert page.status_code == 200 and "Confirm my subscription" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None

    done = reader.post(confirm)
    assert done.status_code == 200
    assert "Thank you: your subscription is confirmed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    again = reader.post(confirm)
    assert "Thank you" not in again.content.decode() and "Your subscription is confirmed" in again.content.decode()


def test_every_mail_has_a_one_click_unsubscribe_and_a_manage_link(subscribe):
    subscribe()
    (message,) = mail.outbox
    token = token_of(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000/subscriptions/unsubscribe/{token}/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    sent = message.message().as_bytes().decode()
    assert f"List-Unsubscribe: <http://127.0.0.1:8000/subscriptions/unsubscribe/{token}/>" in sent
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in sent
    assert set(links(message)) == {"confirm", "manage", "unsubscribe"}
    assert "quoted-printable" not in sent and "base64" not in sent  # links whole, readable in any mail reader


def test_a_one_click_unsubscribe_needs_no_cookie_or_csrf_token_and_deletes_the_address(subscribe):
    subscribe("someone@example.org")
    token = token_of(mail.outbox[0])
    mail_reader = Client(enforce_csrf_checks=True)  # as a mail provider posts: no cookie, no token
    url = f"/subscriptions/unsubscribe/{token}/"
    response = mail_reader.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not Subscriber.objects.filter(email__iexact="someone@example.org").exists()
    # Posted again (a retry): the same answer. The link now leads nowhere.
    assert mail_reader.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded").status_code == 200
    assert Client().get(url).status_code == 404


def test_the_unsubscribe_page_asks_first_then_deletes_and_redirects(client):
    subscriber, token = make_subscriber("page@example.org")
    page = client.get(f"/fr/subscriptions/unsubscribe/{token}/")
    assert page.status_code == 200 and "Se désabonner" in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    response = client.post(f"/fr/subscriptions/unsubscribe/{token}/", {"via": "page"})
    assert response.status_code == 303 and response.url == "/fr/subscriptions/unsubscribed/"
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert client.get(response.url).status_code == 200


def test_the_manage_page_changes_topics_and_language_and_keeps_at_least_one(client):
    subscriber, token = make_subscriber("manage@example.org")
    url = f"/subscriptions/manage/{token}/"
    page = client.get(url).content.decode()
    assert page.count("checked") == 3 and 'value="en" selected' in page
    assert f'action="/subscriptions/unsubscribe/{token}/"' in page

    refused = client.post(url, {"language": "fr"})
    assert refused.status_code == 400
    assert "Choose at least one kind of news." in refused.content.decode()
    assert 'href="#id_topics_0"' in refused.content.decode()  # the error summary leads to the first box
    subscriber.refresh_from_db()
    assert subscriber.topics == list(Topic.values) and subscriber.language == "en"

    saved = client.post(url, {"topics": [Topic.CLOSING], "language": "ru"})
    assert saved.status_code == 303 and saved.url == f"/ru/subscriptions/manage/{token}/?saved=1"
    subscriber.refresh_from_db()
    assert subscriber.topics == [Topic.CLOSING] and subscriber.language == "ru"
    assert "Сохранено" in client.get(saved.url).content.decode()


def test_a_waiting_subscription_is_confirmed_before_it_is_managed(client):
    _subscriber, token = make_subscriber("waiting@example.org", confirmed=False)
    response = client.get(f"/subscriptions/manage/{token}/")
    assert response.status_code == 302 and response.url == f"/subscriptions/confirm/{token}/"


@pytest.mark.parametrize("kind", ["confirm", "manage", "unsubscribe"])
def test_a_wrong_link_answers_one_page(client, kind):
    response = client.get(f"/subscriptions/{kind}/not-a-token/")
    assert response.status_code == 404
    assert "No subscription goes with this link" in response.content.decode()


def test_the_same_answer_for_a_new_a_waiting_and_a_subscribed_address(client, subscribe, settings):
    settings.SUBSCRIPTIONS_RESEND_MINUTES = 0
    make_subscriber("waiting@example.org", confirmed=False, topics=[Topic.CLOSING])
    subscribed, _ = make_subscriber("known@example.org", topics=[Topic.CLOSING], language="es")
    answers = []
    for address in ("new@example.org", "waiting@example.org", "Known@Example.org"):
        response = subscribe(address, [Topic.NEW_VERSIONS])
        page = client.get(response.url)
        answers.append((response.status_code, response.url, dict(response.items()), page.content))
    assert answers[0] == answers[1] == answers[2]
    assert Subscriber.objects.count() == 3  # no second row for a known address, whatever its case
    # The waiting one takes the latest request; the subscribed one keeps its own choices.
    assert Subscriber.objects.get(email="waiting@example.org").topics == [Topic.NEW_VERSIONS]
    subscribed.refresh_from_db()
    assert subscribed.topics == [Topic.CLOSING] and subscribed.language == "es"
    # Each mailbox hears what it needs: a link to confirm, or the link to manage what it has.
    assert "confirm your subscription" in outbox_to("new@example.org")[0].subject
    assert "confirm your subscription" in outbox_to("waiting@example.org")[0].subject
    (known,) = outbox_to("known@example.org")
    assert "Ya está suscrito" in known.subject or "already subscribed" in known.subject
    assert "/es/subscriptions/manage/" in known.body and "/subscriptions/confirm/" not in known.body


def test_an_address_asked_again_and_again_gets_one_mail_per_quarter_hour(subscribe, settings):
    for _ in range(4):
        subscribe("target@example.org")
    assert len(outbox_to("target@example.org")) == 1


def test_a_form_with_problems_is_shown_again_with_nothing_stored(subscribe):
    no_topic = subscribe("reader@example.org", [])
    assert no_topic.status_code == 400
    page = no_topic.content.decode()
    assert "You are not subscribed yet: please correct the following" in page
    assert "Choose at least one kind of news." in page
    bad_address = subscribe("not an address")
    assert bad_address.status_code == 400 and "Enter a valid email address." in bad_address.content.decode()
    assert not Subscriber.objects.exists() and not mail.outbox


def test_a_filled_trap_field_is_answered_as_any_post_and_keeps_nothing(subscribe):
    response = subscribe("bot@example.org", website="http://spam.example/")
    assert response.status_code == 303 and response.url == "/subscriptions/sent/"
    assert not Subscriber.objects.exists() and not mail.outbox


def test_subscribing_is_rate_limited_per_connection(subscribe, settings):
    settings.RATELIMIT_SUBSCRIBE = "2/h"
    assert [subscribe(f"r{n}@example.org").status_code for n in range(3)] == [303, 303, 429]
    assert Subscriber.objects.count() == 2


def test_the_mail_and_its_links_go_in_the_language_of_the_page(subscribe):
    subscribe("lectrice@example.org", prefix="/fr")
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "fr"
    (message,) = mail.outbox
    assert message.subject == "Merci de confirmer votre abonnement aux nouvelles de la Note d'orientation"
    assert set(links(message).values()) >= {f"/fr/subscriptions/{kind}/{token_of(message)}/" for kind in ("confirm",)}
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/fr/subscriptions/unsubscribe/")


def test_the_token_is_kept_only_as_its_hash(subscribe):
    subscribe()
    token = token_of(mail.outbox[0])
    subscriber = Subscriber.objects.get()
    assert subscriber.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Subscriber.objects.filter(pk=subscriber.pk).values().get()
    assert not [name for name, value in row.items() if token in str(value)]


def test_unconfirmed_subscriptions_expire_and_are_purged(client, settings):
    settings.SUBSCRIPTIONS_CONFIRMATION_DAYS = 7
    _old, old_token = make_subscriber("old@example.org", confirmed=False, age=timedelta(days=8))
    recent, _ = make_subscriber("recent@example.org", confirmed=False, age=timedelta(days=6))
    loyal, loyal_token = make_subscriber("loyal@example.org", age=timedelta(days=400))
    # Expired: the link no longer works, even before the nightly purge.
    assert client.get(f"/subscriptions/confirm/{old_token}/").status_code == 404
    assert tasks.purge_unconfirmed() == 1
    assert set(Subscriber.objects.values_list("email", flat=True)) == {"recent@example.org", "loyal@example.org"}
    assert client.get(f"/subscriptions/manage/{loyal_token}/").status_code == 200
    assert recent.pk and loyal.pk


def test_the_purge_is_on_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "campaign.subscriptions.tasks.purge_unconfirmed",
        "campaign.subscriptions.tasks.announce_due",
    } <= tasks_scheduled
