"""A comment's language is recognised from its text unless its poster chose one; coordinators correct it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comments import desk_services, languages
from comments.desk_services import DeskError
from comments.models import ModerationEvent, OrgComment

FRENCH = (
    "Nous soutenons cette note retravaillée. La décriminalisation du travail du sexe est la condition "
    "de l'accès aux services de santé, et les organisations communautaires doivent être financées."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FRENCH, "fr"),
        ("Apoyamos esta nota y pedimos que se mantenga la sección sobre la despenalización del trabajo sexual.", "es"),
        ("Мы поддерживаем эту записку и просим сохранить раздел о декриминализации секс-работы.", "ru"),  # noqa: RUF001
        ("We endorse this note and ask that the section on decriminalisation be adopted in full.", "en"),
        ("Apoiamos esta nota de orientação e pedimos que a secção sobre a descriminalização seja mantida.", "pt"),
        ("نحن ندعم هذه المذكرة التوجيهية ونطالب بإلغاء تجريم العمل الجنسي.", "ar"),
        ("Tunaunga mkono mwongozo huu na tunaomba sehemu ya kuondoa uhalifu wa kazi ya ngono ibaki.", "sw"),
        # Short endorsements are told apart among the site's four languages.
        ("We endorse this.", "en"),
        ("Nous soutenons.", "fr"),
        ("Apoyamos.", "es"),
        ("Мы поддерживаем.", "ru"),
    ],
)
def test_it_recognises_the_language_of_a_text(text, expected):
    assert languages.detect(text, fallback="xx") == expected


@pytest.mark.parametrize("text", ["OK", "Merci", "12345", "https://example.org/a-long-link-with-words-in-it", "   "])
def test_too_little_to_tell_keeps_the_fallback(text):
    assert languages.detect(text, fallback="es") == "es"


def test_links_do_not_count_as_the_posters_words():
    text = "Nous soutenons. https://example.org/we-endorse-this-in-english-because-the-link-says-so"
    assert languages.detect(text, fallback="xx") == "fr"


def test_a_french_comment_posted_from_the_english_page_is_stored_marked_and_counted_as_french(
    client, section, post, confirm, approve
):
    post(section, comment=FRENCH, language="", display="org")
    confirm()
    comment = OrgComment.objects.get()
    assert comment.language == "fr"
    assert comment.mail_language == "fr"  # the site speaks it: the mail follows the comment
    approve(comment)
    page = client.get(section.get_absolute_url()).content.decode()
    assert re.search(rf'id="c{comment.pk}"[\s\S]*?lang="fr"', page)
    french = client.get(f"{section.get_absolute_url()}?language=fr").content.decode()
    assert f'id="c{comment.pk}"' in french


def test_the_posters_choice_wins_over_the_recognition(section, post, confirm):
    post(section, comment=FRENCH, language="en")
    confirm()
    assert OrgComment.objects.get().language == "en"


def test_the_form_offers_recognition_first_and_as_the_default(client, section):
    page = client.get(section.get_absolute_url()).content.decode()
    select = re.search(r'<select name="language"[^>]*>([\s\S]*?)</select>', page).group(1)
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first and "selected" in first


def test_a_coordinator_corrects_the_language_on_the_desk_and_it_is_logged(client, coordinator, section, post, confirm):
    post(section, comment=FRENCH, language="")
    confirm()
    comment = OrgComment.objects.get()
    client.force_login(coordinator)
    page = client.get(f"/desk/c/{comment.pk}/log/").content.decode()
    assert f'action="/desk/c/{comment.pk}/language/"' in page
    response = client.post(f"/desk/c/{comment.pk}/language/", {"language": "ht", "next": f"/desk/c/{comment.pk}/log/"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.language == "ht"
    event = comment.events.get(action=ModerationEvent.Action.LANGUAGE)
    assert event.actor == coordinator and event.reason == "language corrected from fr to ht"
    assert len(mail.outbox) == 1  # the confirmation only: a correction mails nobody


def test_an_unknown_language_is_refused_without_a_change(client, coordinator, section, post, confirm):
    post(section, comment=FRENCH, language="")
    confirm()
    comment = OrgComment.objects.get()
    client.force_login(coordinator)
    response = client.post(f"/desk/c/{comment.pk}/language/", {"language": "not-a-language"}, follow=True)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.language == "fr"
    with pytest.raises(DeskError):
        desk_services.comment_set_language(comment=comment, language="zz-zz", by=coordinator)


def test_only_coordinators_may_correct_a_language(client, member, section, post, confirm):
    post(section, comment=FRENCH, language="")
    confirm()
    comment = OrgComment.objects.get()
    client.force_login(member)
    client.post(f"/desk/c/{comment.pk}/language/", {"language": "en"})
    comment.refresh_from_db()
    assert comment.language == "fr"
