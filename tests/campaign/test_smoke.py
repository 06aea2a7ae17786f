"""Every public page answers, sends a strict CSP, and carries no inline script or style."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from campaign.lib import stylesheet
from tests import factories

PUBLIC_PAGES = [
    "/",
    "/about/",
    "/organisations/",
    "/organisations/sisters-alliance/",
    "/note/guidance-note/",
    "/note/guidance-note/v1/",
    "/note/guidance-note/v2/",
    "/note/guidance-note/v2/print/",
    "/note/guidance-note/v2/fr/",
    "/note/guidance-note/v2/fr/print/",
    "/note/guidance-note/sections/introduction/",
    "/note/guidance-note/sections/introduction/?from=1&to=2",
    "/note/guidance-note/compare/",
    "/note/guidance-note/compare/v1/v2/",
]


@pytest.fixture
def site(note):
    factories.OrganisationFactory(name="Sisters Alliance", slug="sisters-alliance", contact_email="hidden@example.org")
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
    return note


def test_it_serves_the_home_page(client, note):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_serves_every_public_page(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_keeps_pages_free_of_inline_script_and_style(client, site, path):
    page = client.get(path).content.decode()
    # Scripts come from files of our own (static/js), never inline.
    assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", page)
    # One inline style: the site's stylesheet, exactly, which the CSP allows by its hash.
    styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    assert styles == [stylesheet.text(settings.SITE_STYLESHEET)]
    assert page.count("<style") == 1
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_loads_nothing_from_another_host(client, site, path):
    page = client.get(path).content.decode()
    # This site: the request's host, or SITE_URL's (the language alternates are built from it).
    here = f"(?!testserver|{re.escape(urlsplit(settings.SITE_URL).netloc)}/)"
    assert not re.search(rf'(src|href)="(https?:)?//{here}', page.replace('href="https://lune', ""))


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_has_one_main_landmark_and_one_h1(client, site, path):
    page = client.get(path).content.decode()
    assert page.count("<main") == 1
    assert page.count("<h1") == 1


def test_it_never_shows_a_contact_email_on_any_page(client, site):
    for path in PUBLIC_PAGES:
        assert "hidden@example.org" not in client.get(path).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/guidance/document/",
        "/admin/guidance/version/",
        "/admin/guidance/section/",
        "/admin/guidance/sectiontext/",
        "/admin/campaign/organisation/",
    ],
)
def test_it_serves_the_coordinators_admin_lists(client, site, path):
    admin = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == 200


def test_it_keeps_contact_emails_out_of_the_admin_organisation_list(client, site):
    admin = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert "hidden@example.org" not in client.get("/admin/campaign/organisation/").content.decode()


def test_it_shows_a_section_text_read_only_in_the_admin(client, site):
    admin = factories.UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    text = site.sections.get(key="introduction").texts.first()
    response = client.get(f"/admin/guidance/sectiontext/{text.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "&lt;p&gt;" in page
    assert 'name="body_markdown"' not in page
