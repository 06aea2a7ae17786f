"""A reader subscribes to news, confirms, changes their choices and unsubscribes in a real browser,
with JavaScript off, at a phone's width; and a shared page carries its card without any script."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from campaign.subscriptions.models import Subscriber
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
ADDRESS = "reader@example.org"
LINK = re.compile(r"https?://[^/\s]+(/subscriptions/(confirm|manage)/[^/\s]+/)")


def link(kind: str) -> str:
    (path,) = {path for path, found in LINK.findall(mail.outbox[-1].body) if found == kind}
    return path


def test_a_reader_subscribes_confirms_chooses_and_unsubscribes_without_javascript(
    new_page, note, eager_tasks, browser_log, live_server
):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    page.goto("/")
    page.get_by_role("link", name="Get news by email").click()
    expect(page.get_by_role("heading", level=1, name="Get news by email")).to_be_visible()
    page.get_by_label("Email").fill(ADDRESS)
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    assert "/subscriptions/sent/" in page.url
    assert ADDRESS not in page.content()  # the answer never repeats the address
    assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")

    # Opening the mailed link asks; only the button confirms (a link scanner confirms nothing).
    page.goto(link("confirm"))
    assert Subscriber.objects.get().confirmed_at is None
    page.get_by_role("button", name="Confirm my subscription").click()
    page.wait_for_load_state()
    assert Subscriber.objects.get().confirmed_at is not None

    manage = link("manage")
    page.goto(manage)
    expect(page.get_by_role("heading", level=1, name="Your news by email")).to_be_visible()
    boxes = page.locator("input[name=topics]")
    chosen = boxes.count()
    boxes.first.uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()
    assert len(Subscriber.objects.get().topics) == chosen - 1

    page.goto(manage)
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1, name="You are unsubscribed")).to_be_visible()
    assert not Subscriber.objects.exists()
    assert_only_local_requests(browser_log, live_server)
    assert not browser_log.failed, browser_log.failed


def test_a_page_carries_its_card_for_a_shared_link_without_javascript(new_page, note, browser_log, live_server):
    page = new_page(java_script_enabled=False, viewport=PHONE)
    page.goto(note.get_absolute_url())
    card = {
        name: page.locator(f'meta[property="{name}"]').get_attribute("content")
        for name in ("og:title", "og:description", "og:image", "og:url")
    }
    assert card["og:title"] and card["og:description"], card
    assert card["og:image"].endswith("/static/img/card.png") and card["og:url"].endswith(note.get_absolute_url())
    assert page.locator('meta[name="twitter:card"]').get_attribute("content") == "summary_large_image"
    assert_only_local_requests(browser_log, live_server)
