"""A reader searches the note and its comments in a real browser, with JavaScript off, on a phone's width:
from the header's link, through the form's labelled fields, to a result and to the next page of them.

Uses the shared ``note`` fixture (tests/conftest.py): bodies read "The <key words> in version <n>."
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def test_a_reader_searches_filters_and_pages_through_results_without_javascript(
    new_page, note, section, browser_log, live_server
):
    for n in range(22):
        approved_comment(
            section, text=f"The rights based approach, statement {n}.", kind="concern", display="anonymous"
        )
    page = new_page(java_script_enabled=False, viewport=PHONE)
    page.goto("/")
    page.get_by_text("Menu").click()
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", level=1, name="Search")).to_be_visible()

    page.get_by_label("Search for").fill("approach")
    page.get_by_label("Kind").select_option(label="Concern")
    page.get_by_label("Search for").press("Enter")

    expect(page.get_by_role("heading", name="22 results for “approach”")).to_be_visible()
    expect(page).to_have_title(re.compile("^“approach”: 22 results · Search"))
    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(20)
    expect(results.first.locator("mark").first).to_have_text("approach")
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")

    page.get_by_role("link", name="Next page").click()
    expect(results).to_have_count(2)
    expect(page.get_by_label("Kind")).to_have_value("concern")  # the filters kept
    expect(page.get_by_label("Search for")).to_have_value("approach")

    page.get_by_label("Kind").select_option("note")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 results for “approach”")).to_be_visible()
    page.get_by_role("link", name=re.compile("Rights based approach")).first.click()
    expect(page).to_have_url(re.compile(r"/note/guidance-note/sections/rights-based-approach/$"))
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_a_search_with_no_result_says_what_to_try(new_page, note, live_server):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    page.goto("/search/?q=zebra")

    expect(page.get_by_role("heading", name="No results for “zebra”")).to_be_visible()
    expect(page.get_by_text("fewer words, or other words with the same meaning")).to_be_visible()
    page.get_by_role("link", name="its contents").click()
    expect(page).to_have_url(re.compile(r"/note/guidance-note/$"))
