"""In a real browser, JavaScript off, on a 360 px phone and a 1280 px desktop: a poster corrects a
published comment (it stays as it was until a coordinator approves, then says "edited"), and
withdraws one that others answered (their replies stay, under a placeholder, permalinks working)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from comments import tokens
from guidance.models import Section
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
ORIGINAL = "Peer outreach must be funded by the state."
CORRECTED = "Peer outreach must be funded by the state, and led by sex workers."


def signed_in(page, live_server, user) -> None:
    """Give the browser the coordinator's session (the sign-in page is tested on its own)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def fits(page, selector: str, width: int) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_a_correction_is_published_only_once_approved_and_then_says_edited(
    new_page, live_server, note, coordinator, eager_tasks, viewport
):
    section = Section.objects.get(document=note, key="rights-based-approach")
    comment = approved_comment(section, text=ORIGINAL, organisation_name="Shelter Collective")
    poster = new_page(java_script_enabled=False, viewport=viewport)
    poster.goto(f"/comments/correct/{tokens.withdraw_token(comment)}/")
    fits(poster, "textarea#id_comment", viewport["width"])
    poster.get_by_label("Your corrected text").fill(CORRECTED)
    poster.get_by_role("button", name="Send the correction").click()
    poster.wait_for_load_state()
    assert "a coordinator will read it" in poster.locator("[role=status]").inner_text()

    poster.goto(section.get_absolute_url())
    thread = poster.locator(f"#c{comment.pk}")
    assert ORIGINAL in thread.inner_text() and "led by sex workers" not in thread.inner_text()

    desk = new_page(java_script_enabled=False, viewport=viewport)
    signed_in(desk, live_server, coordinator)
    desk.goto("/desk/corrections/")
    item = desk.locator("article.desk-item").first
    assert ORIGINAL in item.inner_text() and CORRECTED in item.inner_text()
    fits(desk, "article.desk-item", viewport["width"])
    item.get_by_role("button", name="Approve the correction").click()
    desk.wait_for_load_state()
    assert "No correction is waiting." in desk.content()

    poster.goto(section.get_absolute_url())
    thread = poster.locator(f"#c{comment.pk}")
    assert "led by sex workers" in thread.inner_text()
    assert thread.locator(".edited").inner_text() == "edited"


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_withdrawing_keeps_the_replies_of_others_under_a_placeholder(new_page, note, viewport):
    section = Section.objects.get(document=note, key="rights-based-approach")
    comment = approved_comment(section, text=ORIGINAL, organisation_name="Shelter Collective")
    reply = approved_comment(section, parent=comment, text="We at Rights Now agree.", organisation_name="Rights Now")
    page = new_page(java_script_enabled=False, viewport=viewport)
    page.goto(f"/comments/withdraw/{tokens.withdraw_token(comment)}/")
    notice = page.locator("p.notice")
    assert "1 reply by others was published under it. It stays" in notice.inner_text()
    fits(page, "p.notice", viewport["width"])
    page.get_by_role("button", name="Withdraw my comment").click()
    page.wait_for_load_state()
    assert "Your comment is withdrawn" in page.locator("h1").inner_text()

    page.goto(f"/comments/c/{reply.pk}/")  # the reply's permalink
    assert page.url.endswith(f"#c{reply.pk}")
    placeholder = page.locator(f"#c{comment.pk}")
    assert placeholder.inner_text().strip() == "This comment was withdrawn by its author."
    assert "Shelter Collective" not in page.locator("#comments").inner_text()
    assert "We at Rights Now agree." in page.locator(f"#c{reply.pk}").inner_text()
    fits(page, f"#c{reply.pk}", viewport["width"])
