"""Sharing and the small things: the card a shared link shows, the icon, robots.txt, the sitemap."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from tests.page_types import url_names

pytestmark = pytest.mark.django_db

SITE = "https://note.example.org"


def meta(page: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]*>", page):
        name = re.search(r'(?:property|name)="([^"]+)"', tag)
        content = re.search(r'content="([^"]*)"', tag)
        if name and content:
            found[name.group(1)] = html.unescape(content.group(1))
    return found


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.mark.parametrize("path", ["/", "/fr/about/", "/endorsements/", "/organisations/"])
def test_every_public_page_describes_itself_for_a_shared_link(client, site, note, path):
    page = client.get(path).content.decode()
    tags = meta(page)
    title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1)).strip()
    assert tags["og:title"] == title
    assert tags["og:description"] == tags["description"] and tags["og:description"]
    assert tags["og:url"] == SITE + path
    assert tags["og:image"].startswith(SITE + "/static/") and tags["og:image"].endswith(".png")
    assert tags["twitter:card"] == "summary_large_image"
    # The image is served from here, and nothing names another host.
    assert Client().get(tags["og:image"].removeprefix(SITE)).status_code == 200
    assert {re.sub(r"^https?://([^/]+).*", r"\1", url) for url in tags.values() if url.startswith("http")} <= {
        "note.example.org"
    }


def test_a_section_card_names_the_section(client, site, note):
    section = note.sections.get(key="rights-based-approach")
    tags = meta(client.get(section.get_absolute_url()).content.decode())
    assert "Rights based approach" in tags["og:title"]
    assert tags["og:url"] == SITE + section.get_absolute_url()


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_names_the_sitemap(client, site):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    for path in ("/admin/", "/desk/", "/comments/", "/fr/desk/", "/ru/comments/", "/search/", "/es/search/"):
        assert f"Disallow: {path}" in lines
    assert not any(line == "Disallow: /" for line in lines)


def test_the_favicon_is_linked_and_its_old_address_leads_to_it(client, site, note):
    page = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    assert Client().get(icon).status_code == 200
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == icon


def test_the_endorsers_page_is_in_the_sitemap_in_every_language(client, site, note):
    xml = client.get("/sitemap.xml").content.decode()
    for prefix in ("", "/fr", "/es", "/ru"):
        assert f"<loc>{SITE}{prefix}/endorsements/</loc>" in xml


def test_the_new_addresses_are_listed_as_not_pages():
    assert {"robots", "favicon"} <= url_names()
