"""A reader's journeys through the note, in a real browser, with JavaScript off.

Uses the shared ``note`` fixture (tests/conftest.py): the document "guidance-note" with an
original text (v1) and a reworked draft (v2), three sections each, whose bodies read
"The <key words> in version <n>."
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_only_local_requests, screenshot

pytestmark = pytest.mark.e2e

SECTION_HEADING = re.compile(r"Rights based approach")


def test_a_reader_follows_the_contents_to_a_section_of_the_full_text(page_nojs, note, browser_log, live_server):
    page = page_nojs
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    contents = page.get_by_role("navigation", name=re.compile("contents", re.IGNORECASE))
    contents.get_by_role("link", name=SECTION_HEADING).click()

    expect(page).to_have_url(re.compile(r"/note/guidance-note/v2/#rights-based-approach$"))
    target = page.locator("#rights-based-approach")
    expect(target).to_be_in_viewport()
    expect(target.get_by_role("heading", name=SECTION_HEADING)).to_be_visible()
    expect(page.get_by_text("The rights based approach in version 2.")).to_be_visible()
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_a_reader_compares_the_draft_with_the_original_text(page_nojs, note, browser_log, live_server):
    page = page_nojs
    page.goto("/")
    page.get_by_role("link", name=re.compile("compare", re.IGNORECASE)).first.click()

    # The link leads to the comparison, or to the form that chooses the two versions.
    if "/compare/v" not in page.url:
        page.get_by_role("button", name=re.compile("compare", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/note/guidance-note/compare/v1/v2/$"))
    change = page.locator("article").filter(has=page.get_by_role("heading", name=SECTION_HEADING))
    expect(change.locator("del")).to_contain_text("1")
    expect(change.locator("ins")).to_contain_text("2")
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_a_reader_chooses_two_versions_of_a_section_to_compare(page_nojs, note, browser_log, live_server):
    page = page_nojs
    page.goto("/")
    page.get_by_role("link", name=re.compile(r"full text of version 2", re.IGNORECASE)).click()
    page.locator("#rights-based-approach").get_by_role("link", name=re.compile("history", re.IGNORECASE)).click()

    expect(page).to_have_url(re.compile(r"/note/guidance-note/sections/rights-based-approach/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(SECTION_HEADING)
    expect(page.get_by_text("The rights based approach in version 2.").first).to_be_visible()

    # Read the change backwards: from the draft (2) to the original (1).
    page.get_by_label("From version", exact=True).select_option("2")
    page.get_by_label("to version", exact=True).select_option("1")
    page.get_by_role("button", name=re.compile("show the changes", re.IGNORECASE)).click()

    expect(page).to_have_url(re.compile(r"/sections/rights-based-approach/\?(.*&)?from=2&to=1"))
    changes = page.get_by_role("heading", name=re.compile("changes from version 2 to version 1", re.IGNORECASE))
    expect(changes).to_be_visible()
    expect(page.locator("pre.diff del").filter(has_text="2").first).to_be_visible()
    expect(page.locator("pre.diff ins").filter(has_text="1").first).to_be_visible()
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_the_home_page_fits_a_phone(phone_page, note, browser_log, live_server):
    page = phone_page
    response = page.goto("/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390px phone screen"
    path = screenshot(page, "home-phone.png")
    assert path.stat().st_size > 0
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed
    assert not browser_log.console_errors, browser_log.console_errors


def test_the_guard_records_and_blocks_requests_to_other_hosts(page, live_server, browser_log):
    page.goto("/static/css/site.css")
    page.set_content('<img src="https://cdn.example.net/pixel.png" alt="">')
    page.wait_for_load_state("load")
    assert browser_log.foreign_requests(live_server.url) == ["https://cdn.example.net/pixel.png"]
    with pytest.raises(AssertionError, match=r"cdn\.example\.net"):
        assert_only_local_requests(browser_log, live_server)
