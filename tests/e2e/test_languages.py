"""Languages in a real browser, with JavaScript off: the switcher's links keep the reader in their
language without any cookie, a comment in Arabic reads right to left inside an English page, and a
section shows side by side with its original."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from guidance.models import Section
from tests import factories
from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests, screenshot

pytestmark = pytest.mark.e2e

ARABIC = "نطلب أن تُقدَّم الخدمات دون بطاقة هوية. The clinic in Amman agrees."


def test_a_reader_switches_to_french_and_stays_in_french_without_a_cookie(page_nojs, note, browser_log, live_server):
    page = page_nojs
    page.goto("/about/")
    switcher = page.get_by_role("navigation", name="Language")
    expect(switcher.get_by_role("link", name="English")).to_have_attribute("aria-current", "page")
    switcher.get_by_role("link", name="français").click()

    expect(page).to_have_url(re.compile(r"/fr/about/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Organisations").click()
    expect(page).to_have_url(re.compile(r"/fr/organisations/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name=re.compile("Note d.orientation")).first.click()
    expect(page).to_have_url(re.compile(r"/fr/$"))

    names = {cookie["name"] for cookie in page.context.cookies()}
    assert "django_language" not in names
    assert names <= {"csrftoken"}, names  # nothing else, and nothing about the language
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_an_arabic_comment_reads_right_to_left_in_an_english_page(page_nojs, note, browser_log, live_server):
    section = Section.objects.get(document=note, key="rights-based-approach")
    comment = approved_comment(
        section, text=ARABIC, language="ar", organisation_name="مجموعة الأمان", city="عمّان", country="JO", kind="amend"
    )
    page = page_nojs
    page.goto(section.get_absolute_url())
    body = page.locator(f"#c{comment.pk} .comment-body")
    expect(body).to_have_attribute("lang", "ar")
    assert body.evaluate("element => getComputedStyle(element).direction") == "rtl"
    # The page itself stays left to right, and so do the English comments' neighbours.
    assert page.locator("main").evaluate("element => getComputedStyle(element).direction") == "ltr"
    # The organisation's name is isolated: its letters do not reorder the signature around it.
    name = page.locator(f"#c{comment.pk} bdi").first
    assert name.evaluate("element => getComputedStyle(element).unicodeBidi") == "isolate"
    assert name.evaluate("element => getComputedStyle(element).direction") == "rtl"
    screenshot(page, "arabic-comment.png")
    assert_only_local_requests(browser_log, live_server)


def test_a_reader_shows_a_french_section_beside_its_original(page_nojs, note, browser_log, live_server):
    draft = note.versions.get(number=2)
    french = factories.VersionFactory(document=note, number=2, label="Projet 1", language="fr", translation_of=draft)
    section = Section.objects.get(document=note, key="introduction")
    factories.SectionTextFactory(
        version=french,
        section=section,
        position=1,
        heading="Introduction",
        body_markdown="L'introduction en français.",
        body_html="<p>L'introduction en français.</p>",
        translated_from=section.texts.get(version=draft),
    )
    page = page_nojs
    page.goto(f"/fr{section.get_absolute_url()}")
    expect(page.get_by_text("L'introduction en français.")).to_be_visible()
    page.get_by_role("link", name="L'afficher à côté de l'original").click()

    expect(page).to_have_url(re.compile(r"\?side=fr#text$"))
    columns = page.locator(".side-column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0)).to_have_attribute("lang", "fr")
    expect(columns.nth(1)).to_have_attribute("lang", "en")
    expect(columns.nth(1)).to_contain_text("The introduction in version 2.")
    page.get_by_role("link", name="Afficher un seul texte").click()
    expect(page.locator(".side-column")).to_have_count(0)
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed
