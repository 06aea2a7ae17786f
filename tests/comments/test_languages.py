"""Posters and readers get the site in their own language: French, Spanish or Russian.

The address's prefix picks the language (/fr/..., campaign/lib/i18n.py); the catalogs under
locale/ (compiled .mo files, kept in the repository) and Django's own catalogs provide the words.
"""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.utils import translation

from comments.models import OrgComment
from comments.selectors import count_label
from tests.comments.conftest import form_data
from tests.paths import in_language

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"

# Django's own message for a required field, in each language.
REQUIRED = {
    "fr": "Ce champ est obligatoire.",
    "es": "Este campo es obligatorio.",
    "ru": "Обязательное поле.",
}
# The form's own message for a comment with nothing left once cleaned (comments/forms.py).
PLEASE_WRITE = {
    "fr": "Veuillez écrire votre commentaire.",
    "es": "Por favor, escriba su comentario.",
    "ru": "Пожалуйста, напишите комментарий.",
}
# Labels of the comment form, in each language.
LABELS = {
    "fr": ["Votre commentaire", f"De quoi s'agit-il{NBSP}?", "Adresse e-mail", "Soutien avec amendements", "Envoyer"],
    "es": ["Su comentario", "¿De qué se trata?", "Correo electrónico", "Respaldo con enmiendas", "Enviar"],
    "ru": ["Ваш комментарий", "Что вы хотите оставить?", "Электронная почта", "Поддержка с поправками", "Отправить"],  # noqa: RUF001 - Cyrillic on purpose
}
ENGLISH_LABELS = ["Your comment", "What is this?", "Support with amendments", "Please write your comment."]


def _page(response) -> str:
    """The page as a reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def _post(client, target, language: str, **overrides):
    return client.post(in_language("/comments/post/", language), form_data(target, **overrides))


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_an_empty_comment_is_refused_in_the_posters_language(client, section, language):
    response = _post(client, section, language, comment="")
    assert response.status_code == 200
    page = _page(response)
    assert f'<html lang="{language}" dir="ltr">' in page
    assert REQUIRED[language] in page
    assert "This field is required." not in page
    # The form comes back with its labels in the same language.
    for label in LABELS[language]:
        assert label in page, label
    assert OrgComment.objects.count() == 0


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_a_comment_with_nothing_left_once_cleaned_gets_the_forms_message_in_the_posters_language(
    client, section, language
):
    # Control characters pass the field's "required" check, then clean_text() removes them all.
    response = _post(client, section, language, comment="\x07\x1b")
    assert response.status_code == 200
    page = _page(response)
    assert PLEASE_WRITE[language] in page
    assert "Please write your comment." not in page
    assert OrgComment.objects.count() == 0


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_the_section_page_shows_the_form_in_the_readers_language(client, section, language):
    response = client.get(in_language(section.get_absolute_url(), language))
    assert response.status_code == 200
    page = _page(response)
    assert f'<html lang="{language}" dir="ltr">' in page
    for label in LABELS[language]:
        assert label in page, label
    for label in ENGLISH_LABELS:
        assert label not in page, label


def test_the_page_cache_keeps_one_copy_per_language(client, section):
    english = _page(client.get(section.get_absolute_url()))
    french = _page(client.get(in_language(section.get_absolute_url(), "fr")))
    again = _page(client.get(section.get_absolute_url()))
    assert "Your comment" in english and "Your comment" in again
    assert "Votre commentaire" in french and "Your comment" not in french


def test_20001_characters_get_djangos_max_length_message_in_french_and_the_text_is_kept(client, section):
    text = "x" * 20_001
    response = _post(client, section, "fr", comment=text)
    assert response.status_code == 200
    page = _page(response)
    assert "Assurez-vous que cette valeur comporte au plus 20000 caractères (actuellement 20001)." in page
    assert "at most 20000 characters" not in page
    assert text in page
    assert OrgComment.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "title", "sentence"),
    [
        ("fr", "Page introuvable", "Il n'y a rien à cette adresse."),
        ("es", "Página no encontrada", "No hay nada en esta dirección."),
        ("ru", "Страница не найдена", "По этому адресу ничего нет."),
    ],
)
def test_the_404_page_speaks_the_readers_language(client, language, title, sentence):
    response = client.get(in_language("/no-such-page/", language))
    assert response.status_code == 404
    page = _page(response)
    assert f'<html lang="{language}" dir="ltr">' in page
    assert f"<h1>{title}</h1>" in page
    assert sentence in page
    assert "Page not found" not in page


def test_the_thank_you_message_after_posting_is_in_french(client, section, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/comments/post/", form_data(section, language="fr"), follow=True)
    assert response.status_code == 200
    page = _page(response)
    assert f"Consultez votre messagerie{NBSP}: ouvrez le lien qu'il contient dans les 7{NBSP}jours" in page
    assert "Check your mail" not in page


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        # French has its own mail templates (templates/comments/email/fr/); Spanish and Russian
        # use the default templates, translated by the catalogs.
        ("fr", "Merci de confirmer votre commentaire sur la Note d'orientation", "Merci pour votre commentaire"),
        ("es", "Confirme su comentario sobre la Nota de orientación", "Gracias por su comentario"),
        ("ru", "Пожалуйста, подтвердите комментарий к Руководящей записке", "Спасибо за ваш комментарий"),
    ],
)
def test_the_confirmation_mail_is_in_the_language_of_the_comment(post, section, language, subject, sentence):
    post(section, language=language)
    message = mail.outbox[-1]
    assert message.subject == subject
    assert sentence in message.body
    assert "/comments/confirm/" in message.body


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 голос поддержки"),
        (2, "2 голоса поддержки"),
        (5, "5 голосов поддержки"),
        (11, "11 голосов поддержки"),
        (21, "21 голос поддержки"),
        (22, "22 голоса поддержки"),
        (0, "0 голосов поддержки"),
    ],
)
def test_russian_counts_use_the_three_plural_forms(n, expected):
    with translation.override("ru"):
        assert count_label("endorse", n) == expected


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [("fr", "1 commentaire", "2 commentaires"), ("es", "1 comentario", "2 comentarios")],
)
def test_french_and_spanish_counts_agree_with_the_number(language, one, two):
    with translation.override(language):
        assert count_label("comment", 1) == one
        assert count_label("comment", 2) == two


PUBLIC_PAGES = [
    "/",
    "/about/",
    "/organisations/",
    "/endorsements/",
    "/note/guidance-note/",
    "/note/guidance-note/v2/",
    "/note/guidance-note/v2/print/",
    "/note/guidance-note/compare/",
    "/note/guidance-note/compare/v1/v2/",
    "/note/guidance-note/sections/rights-based-approach/",
]
SKIP_LINK = {"fr": "Aller au contenu", "es": "Ir al contenido", "ru": "Перейти к содержанию"}


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_renders_in_the_readers_language(client, note, url, language):
    response = client.get(in_language(url, language))
    assert response.status_code == 200, url
    page = _page(response)
    assert f'<html lang="{language}" dir="ltr">' in page
    assert SKIP_LINK[language] in page
    assert "Skip to content" not in page


@pytest.mark.parametrize(
    ("language", "heading"), [("fr", "Bureau de modération"), ("es", "Mesa de moderación"), ("ru", "Панель модерации")]
)
def test_the_moderation_desk_speaks_the_language_of_its_address(client, coordinator, note, language, heading):
    client.force_login(coordinator)
    response = client.get(in_language("/desk/", language))
    assert response.status_code == 200
    page = _page(response)
    assert heading in page
    assert "Moderation desk" not in page
