"""Comments in any language: each shows its language, readers narrow a page to one language, text
in Arabic or Hebrew reads right to left, and mail links keep the poster's language."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import OrgComment, State
from tests.comments.builders import approved_comment
from tests.comments.conftest import form_data
from tests.comments.test_queries import SECTION_PAGE_QUERIES

pytestmark = pytest.mark.django_db

ARABIC = "نؤيد هذا القسم.\n\nيجب أن تقود منظمات العاملات في الجنس الخدمات الصحية."
ARABIC_ORG = "جمعية الأمان"


def content(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def comment_block(page: str, comment: OrgComment) -> str:
    match = re.search(rf'<li class="comment level-\d" id="c{comment.pk}">(.*?)</article>', page, re.S)
    assert match, f"comment {comment.pk} is not on the page"
    return match.group(1)


@pytest.fixture
def languages_thread(section):
    """Four discussions: two started in English (one answered in French), one French, one Arabic."""
    english = approved_comment(section, text="We endorse it.", language="en", user_name="Amina")
    answered = approved_comment(section, text="A question in English.", language="en")
    french_reply = approved_comment(section, parent=answered, text="Une réponse en français.", language="fr")
    french = approved_comment(section, text="Nous soutenons ce texte.", language="fr")
    arabic = approved_comment(
        section, text=ARABIC, language="ar", user_name="ليلى", organisation_name=ARABIC_ORG, city="عمّان", country="JO"
    )
    return {"english": english, "answered": answered, "reply": french_reply, "french": french, "arabic": arabic}


# --- Each comment says its language --------------------------------------------------------------


def test_each_comment_shows_its_language_and_marks_its_text_with_it(client, section, languages_thread):
    page = content(client.get(section.get_absolute_url()))
    for key, code, name in [("english", "en", "English"), ("french", "fr", "French"), ("arabic", "ar", "Arabic")]:
        block = comment_block(page, languages_thread[key])
        assert f'<span class="comment-language">{name}</span>' in block, key
        assert f'<div class="comment-body" lang="{code}" dir="auto">' in block, key


def test_the_language_is_named_in_the_readers_language(client, section, languages_thread):
    page = content(client.get(f"/fr{section.get_absolute_url()}"))
    assert '<span class="comment-language">Arabe</span>' in comment_block(page, languages_thread["arabic"])


def test_right_to_left_names_and_places_are_isolated_and_the_text_follows_its_own_direction(
    client, section, languages_thread
):
    block = comment_block(content(client.get(section.get_absolute_url())), languages_thread["arabic"])
    assert "<strong><bdi>ليلى</bdi></strong>" in block
    assert f"<strong><bdi>{ARABIC_ORG}</bdi></strong>" in block
    assert "<bdi>عمّان</bdi>, Jordan" in block
    assert 'lang="ar" dir="auto"' in block


def test_every_field_a_poster_types_takes_its_own_direction_in_the_form(client, section):
    page = content(client.get(section.get_absolute_url()))
    for name in ("comment", "name", "organisation_name", "city", "on_behalf_of"):
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)
        assert field and 'dir="auto"' in field.group(0), name


def test_a_comment_may_be_written_in_a_language_the_site_does_not_speak(post, section):
    post(section, language="ar", comment=ARABIC)
    comment = OrgComment.objects.get()
    assert (comment.language, comment.state) == ("ar", State.UNCONFIRMED)


def test_an_unknown_language_is_refused_with_the_text_kept(client, section):
    response = client.post("/fr/comments/post/", form_data(section, language="xx-nowhere", comment="Mon texte."))
    page = content(response)
    assert "Mon texte." in page
    assert "Sélectionnez un choix valide." in page
    assert not OrgComment.objects.exists()


# --- Readers narrow the discussions to one language ------------------------------------------------


def test_readers_filter_the_discussions_by_the_language_they_were_started_in(client, section, languages_thread):
    page = content(client.get(f"{section.get_absolute_url()}?language=fr"))
    shown = set(map(int, re.findall(r'<li class="comment level-\d" id="c(\d+)">', page)))
    assert shown == {languages_thread["french"].pk}
    everything = content(client.get(section.get_absolute_url()))
    assert len(re.findall(r'<li class="comment level-\d"', everything)) == 5


def test_a_thread_started_in_the_chosen_language_keeps_its_replies_in_any_language(client, section, languages_thread):
    page = content(client.get(f"{section.get_absolute_url()}?language=en"))
    shown = set(map(int, re.findall(r'<li class="comment level-\d" id="c(\d+)">', page)))
    thread = languages_thread
    assert shown == {thread["english"].pk, thread["answered"].pk, thread["reply"].pk}


def test_the_filter_is_a_list_of_links_with_counts_the_current_one_marked(client, section, languages_thread):
    url = section.get_absolute_url()
    page = content(client.get(f"{url}?language=ar&order=newest"))
    nav = re.search(r'<nav class="language-filter"[^>]*>(.*?)</nav>', page, re.S).group(1)
    links = re.findall(r'<a href="([^"]*)"[^>]*?(aria-current="true")?>([^<]*)</a>', nav)
    assert [(href, bool(current), label) for href, current, label in links] == [
        (f"{url}?order=newest#comments", False, "All languages (4)"),
        (f"{url}?language=en&order=newest#comments", False, "English (2)"),
        (f"{url}?language=ar&order=newest#comments", True, "Arabic (1)"),
        (f"{url}?language=fr&order=newest#comments", False, "French (1)"),
    ]
    assert "1 discussion started in Arabic" in page


def test_a_language_without_discussions_says_so_and_links_to_all(client, section, languages_thread):
    page = content(client.get(f"{section.get_absolute_url()}?language=ru"))
    assert "No discussion has been started in Russian here yet." in page
    assert f'href="{section.get_absolute_url()}#comments"' in page


def test_an_unknown_language_in_the_address_shows_every_discussion(client, section, languages_thread):
    page = content(client.get(f"{section.get_absolute_url()}?language=<script>"))
    assert len(re.findall(r'<li class="comment level-\d"', page)) == 5
    assert "<script>" not in page.split('id="comments"')[1].split("</nav>")[0]


def test_filtering_by_language_runs_the_same_queries(client, section, languages_thread):
    client.get(section.get_absolute_url())  # the first request also reads the content types, which Django caches
    for query in ("", "?language=fr", "?language=ar&order=newest", "?language=ru"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(section.get_absolute_url() + query).status_code == 200
        # No discussion in Russian: no page of thread ids and no comments to read.
        expected = SECTION_PAGE_QUERIES - (2 if query == "?language=ru" else 0)
        assert len(queries) == expected, (query, len(queries))


def test_pages_of_discussions_keep_the_language(client, section, settings):
    settings.COMMENTS_PAGE_SIZE = 2
    for n in range(3):
        approved_comment(section, text=f"Texte {n}.", language="fr")
    approved_comment(section, text="English.", language="en")
    page = content(client.get(f"{section.get_absolute_url()}?language=fr"))
    assert f'href="{section.get_absolute_url()}?language=fr&page=2#comments"' in page
    second = content(client.get(f"{section.get_absolute_url()}?language=fr&page=2"))
    assert "Texte 2." in second and "English." not in second


# --- Mail keeps the poster's language ----------------------------------------------------------------


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_the_links_in_a_confirmation_mail_carry_the_comments_language(post, section, settings, language):
    post(section, language=language)
    found = links(mail.outbox[-1])
    assert found and all(link.startswith(f"{settings.SITE_URL}/{language}/") for link in found), found
    assert any("/comments/confirm/" in link for link in found)
    assert any("/comments/withdraw/" in link for link in found)


def test_an_english_mail_has_unprefixed_links(post, section, settings):
    post(section, language="en")
    found = links(mail.outbox[-1])
    assert found and all(link.startswith(f"{settings.SITE_URL}/") for link in found)
    assert not any(re.match(rf"{settings.SITE_URL}/(fr|es|ru)/", link) for link in found)


def test_a_comment_in_arabic_posted_from_the_russian_pages_gets_its_mail_in_russian(
    client, section, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ru/comments/post/", form_data(section, language="ar", comment=ARABIC))
    assert response.status_code == 302
    comment = OrgComment.objects.get()
    assert (comment.language, comment.mail_language) == ("ar", "ru")
    message = mail.outbox[-1]
    assert "Спасибо за ваш комментарий" in message.body
    assert all(link.startswith(f"{settings.SITE_URL}/ru/") for link in links(message))


def test_the_decision_mail_links_carry_the_language_too(post, confirm, approve, section, settings):
    post(section, language="es")
    confirm()
    comment = OrgComment.objects.get()
    if comment.state != State.APPROVED:
        approve(comment)
    decision = mail.outbox[-1]
    found = links(decision)
    assert found and all(link.startswith(f"{settings.SITE_URL}/es/") for link in found), found


def test_confirming_and_withdrawing_stay_in_the_language_of_the_link(client, post, section):
    post(section, language="fr")
    body = mail.outbox[-1].body
    confirm_url = re.search(r"https?://[^/\s]+(/fr/comments/confirm/[\w-]+/)", body).group(1)
    assert '<html lang="fr" dir="ltr">' in content(client.get(confirm_url))
    assert '<html lang="fr" dir="ltr">' in content(client.post(confirm_url))
    withdraw_url = re.search(r"https?://[^/\s]+(/fr/comments/withdraw/[\w:-]+/)", body).group(1)
    assert '<html lang="fr" dir="ltr">' in content(client.get(withdraw_url))


def test_posting_from_a_french_page_answers_with_the_french_page_of_what_happens_next(client, section):
    response = client.post("/fr/comments/post/", form_data(section, language="fr"))
    assert response.status_code == 302
    assert response["Location"] == f"/fr/comments/sent/?content_type=guidance.section&object_pk={section.pk}"
    back = f'href="/fr{section.get_absolute_url()}"'
    assert back in client.get(response["Location"]).content.decode()


def test_a_permalink_keeps_the_language(client, section, languages_thread):
    response = client.get(f"/es/comments/c/{languages_thread['french'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/es{section.get_absolute_url()}")


def test_right_to_left_text_is_isolated_on_the_endorsers_page_and_the_desk(client, coordinator, section):
    comment = approved_comment(
        section, text=ARABIC, language="ar", kind="endorse", organisation_name=ARABIC_ORG, city="عمّان", country="JO"
    )
    endorsers = content(client.get("/endorsements/"))
    assert f"<bdi>{ARABIC_ORG}</bdi>" in endorsers
    assert "<bdi>عمّان</bdi>" in endorsers
    OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False)
    client.force_login(coordinator)
    desk = content(client.get("/desk/"))
    assert f"<strong><bdi>{ARABIC_ORG}</bdi></strong>" in desk
    assert '<div class="comment-body" lang="ar" dir="auto">' in desk
