"""The site in four languages: the address picks the language, a switcher of plain links on every
page, hreflang alternates, no language cookie, nothing varying on Accept-Language, the sitemap, the
error pages, and compiled catalogues (ours and django-comments-xtd's)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from comments import findings
from comments.models import OrgComment
from tests import factories
from tests.comments.builders import approved_comment
from tests.paths import in_language

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
NAMES = {"en": "English", "fr": "français", "es": "español", "ru": "Русский"}
# A word of each page type in each language, so a page that fell back to English is caught.
SKIP_LINK = {"en": "Skip to content", "fr": "Aller au contenu", "es": "Ir al contenido", "ru": "Перейти к содержанию"}


@pytest.fixture
def site(note, coordinator):
    """The shared note, an organisation, a French translation and a visible comment."""
    factories.OrganisationFactory(name="Sisters Alliance", slug="sisters-alliance")
    draft = note.versions.get(number=2)
    french = factories.VersionFactory(document=note, number=2, label="Projet 1", language="fr", translation_of=draft)
    factories.SectionTextFactory(
        version=french,
        section=note.sections.get(key="introduction"),
        position=1,
        heading="Introduction",
        body_markdown="Texte.",
        body_html="<p>Texte.</p>",
    )
    return approved_comment(note.sections.get(key="introduction"), text="A comment to reply to.")


def page_types(comment: OrgComment) -> list[str]:
    """One address of every kind of page (English form), query strings included."""
    return [
        "/",
        "/about/",
        "/organisations/",
        "/organisations/sisters-alliance/",
        "/endorsements/?kind=all",
        "/note/guidance-note/",
        "/note/guidance-note/v2/",
        "/note/guidance-note/v2/fr/",
        "/note/guidance-note/v2/print/",
        "/note/guidance-note/sections/introduction/?from=1&to=2",
        "/note/guidance-note/compare/",
        "/note/guidance-note/compare/v1/v2/",
        "/note/guidance-note/report/",
        f"/comments/reply/{comment.pk}/",
        "/comments/confirm/no-such-link/",  # a 404 page of its own
        "/no-such-page/",
        "/desk/?order=oldest",
        "/desk/stats/",
    ]


def switcher(content: str) -> list[dict]:
    nav = re.search(r'<nav class="language"[^>]*>(.*?)</nav>', content, re.S)
    assert nav, "no language switcher"
    links = []
    for attributes, name in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav.group(1)):
        found = dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
        found["current"] = "aria-current" in attributes
        found["name"] = name.strip()
        links.append(found)
    return links


def alternates(content: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', content))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_has_the_switcher_and_alternates_for_the_same_page(client, site, coordinator, language):
    client.force_login(coordinator)  # the desk's pages too; public pages are the same for members
    for english in page_types(site):
        path = in_language(english, language)
        response = client.get(path)
        assert response.status_code in (200, 404), path
        content = html.unescape(response.content.decode())
        assert f'<html lang="{language}" dir="ltr">' in content, path
        assert SKIP_LINK[language] in content, path
        links = switcher(content)
        assert [link["hreflang"] for link in links] == LANGUAGES, path
        assert [link["lang"] for link in links] == LANGUAGES, path
        assert [link["name"].casefold() for link in links] == [NAMES[code].casefold() for code in LANGUAGES]
        assert [link["href"] for link in links] == [in_language(english, code) for code in LANGUAGES], path
        assert [link["hreflang"] for link in links if link["current"]] == [language], path
        assert alternates(content) == {
            **{code: f"{settings.SITE_URL}{in_language(english, code)}" for code in LANGUAGES},
            "x-default": f"{settings.SITE_URL}{english}",
        }, path


def test_following_the_switcher_keeps_the_reader_in_their_language(client, site):
    content = client.get("/fr/").content.decode()
    # Every link the French home page makes to the site's pages stays in French.
    internal = re.findall(r'href="(/[^"]*)"', content)
    others = [href for href in internal if not href.startswith(("/fr/", "/static/", "/sitemap.xml"))]
    switch = {in_language("/", code) for code in LANGUAGES}
    assert set(others) <= switch, others


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_language_cookie_is_ever_set(client, site, language):
    for english in page_types(site):
        response = client.get(in_language(english, language))
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
        for cookie in response.cookies.values():
            assert cookie.key in (settings.CSRF_COOKIE_NAME,), cookie.key
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    # Django's view that set the cookie is not there any more.
    assert client.post("/i18n/setlang/", {"language": "fr"}).status_code == 404


def test_neither_accept_language_nor_a_language_cookie_changes_an_address_language(client, site):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    english = client.get("/about/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="en" dir="ltr">' in english
    spanish = client.get("/es/about/", headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="es" dir="ltr">' in spanish


@pytest.mark.parametrize("path", ["/about/", "/fr/about/", "/note/guidance-note/sections/introduction/", "/desk/"])
def test_no_response_varies_on_accept_language(client, site, coordinator, path):
    if path.startswith("/desk/"):
        client.force_login(coordinator)
    for response in (client.get(path), client.get(path)):
        vary = {value.strip().lower() for value in response.get("Vary", "").split(",")}
        assert "accept-language" not in vary, path
        assert response["Content-Language"] == ("fr" if path.startswith("/fr/") else "en")


def test_the_admin_and_the_sitemap_stay_unprefixed(client, site):
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/fr/sitemap.xml").status_code == 404
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/fr/admin/login/").status_code == 404


def test_the_sitemap_lists_each_page_in_each_language_with_its_alternates(client, site, settings):
    settings.SITE_URL = "https://note.example.org"
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own response
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = {url.find("s:loc", ns).text: url for url in root.findall("s:url", ns)}
    for code in LANGUAGES:
        about = entries[f"https://note.example.org{in_language('/about/', code)}"]
        links = {link.get("hreflang"): link.get("href") for link in about.findall("x:link", ns)}
        assert links == {
            **{other: f"https://note.example.org{in_language('/about/', other)}" for other in LANGUAGES},
            "x-default": "https://note.example.org/about/",
        }


def test_the_404_page_is_in_the_language_of_its_address(client, db):
    for code, title in [("en", "Page not found"), ("fr", "Page introuvable"), ("ru", "Страница не найдена")]:
        response = client.get(in_language("/nowhere/", code))
        assert response.status_code == 404
        assert f"<h1>{title}</h1>" in html.unescape(response.content.decode())


def test_the_403_page_is_in_the_language_of_its_address(client, stranger):
    client.force_login(stranger)
    for code, title in [("en", "Not allowed"), ("fr", "Accès refusé"), ("es", "Acceso denegado")]:
        response = client.get(in_language("/desk/", code))
        assert response.status_code == 403
        assert f"<h1>{title}</h1>" in html.unescape(response.content.decode())


def test_the_500_page_needs_no_database_and_speaks_every_language(django_assert_num_queries):
    request = RequestFactory().get("/fr/note/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    content = response.content.decode()
    for code, words, home in [
        ("en", "Something went wrong on our side", "/"),
        ("fr", "Un problème est survenu de notre côté", "/fr/"),
        ("es", "Algo ha fallado por nuestra parte", "/es/"),
        ("ru", "На нашей стороне произошла ошибка", "/ru/"),  # noqa: RUF001 - Cyrillic on purpose
    ]:
        part = re.search(rf'<section lang="{code}">(.*?)</section>', content, re.S)
        assert part and words in part.group(1), code
        assert f'href="{home}"' in part.group(1)


# --- The desk speaks the coordinator's language ----------------------------------------------------


def test_the_desk_shows_the_screenings_findings_in_the_coordinators_language(client, coordinator, note):
    comment = approved_comment(note.sections.get(key="introduction"), text="Visit a b c")
    result = findings.found("links", 2.0, "links", count=3)
    OrgComment.objects.filter(pk=comment.pk).update(
        state="review", is_public=False, spam_score=2.0, spam_reasons=[asdict(result)]
    )
    client.force_login(coordinator)
    english = html.unescape(client.get("/desk/").content.decode())
    assert "Contains 3 links." in english
    french = html.unescape(client.get("/fr/desk/").content.decode())
    assert "Contient 3 liens." in french and "Contains 3 links." not in french
    assert "<td>Liens</td>" in french
    russian = html.unescape(client.get("/ru/desk/").content.decode())
    assert "Содержит 3 ссылки." in russian


def test_a_finding_stored_before_findings_were_translated_is_shown_as_stored(client, coordinator, note):
    comment = approved_comment(note.sections.get(key="introduction"), text="Old")
    old = [{"check": "links", "score": 2.0, "reason": "Contains 4 links.", "hold": False}]
    OrgComment.objects.filter(pk=comment.pk).update(state="review", is_public=False, spam_reasons=old)
    client.force_login(coordinator)
    assert "Contains 4 links." in html.unescape(client.get("/fr/desk/").content.decode())


def test_the_desk_statistics_are_translated(client, coordinator, db):
    client.force_login(coordinator)
    for code, words in [("fr", "Statistiques"), ("es", "Estadísticas"), ("ru", "Статистика")]:
        content = html.unescape(client.get(f"/{code}/desk/stats/").content.decode())
        assert f"<h1>{words}</h1>" in content, code


# --- Catalogues -------------------------------------------------------------------------------------


def test_django_comments_xtd_catalogues_are_compiled_and_used():
    from django_comments_xtd.forms import XtdCommentForm

    label = XtdCommentForm.base_fields["followup"].label
    assert str(label) == "Notify me about follow-up comments"
    for code, expected in [
        ("fr", "M'avertir des commentaires suivants"),
        ("es", "Notifíqueme subsiguientes comentarios"),
        ("ru", "Сообщить об ответных комментариях"),  # noqa: RUF001 - Cyrillic on purpose
    ]:
        with translation.override(code):
            assert str(label) == expected, code


@pytest.mark.parametrize("language", ["fr", "es", "ru"])
def test_the_committed_catalogue_is_compiled_from_its_po_file(language):
    folder = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES"
    po = polib.pofile(str(folder / "django.po"))
    mo = polib.mofile(str(folder / "django.mo"))
    assert not po.untranslated_entries() and not po.fuzzy_entries(), "translate every message, fuzzy ones too"

    def messages(catalogue) -> dict:
        return {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in catalogue if e.msgid}

    assert messages(mo) == messages(po.translated_entries()), "run compilemessages -l fr -l es -l ru"
