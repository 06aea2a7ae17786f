"""In a real browser, JavaScript off, at 360 px and 1280 px: an organisation's page lists what was
published under its name (signed as chosen, the badge only for a member), and a page in a language
the note lacks says so at the top, in view, with links to the languages it exists in."""

from __future__ import annotations

import pytest
from django.utils import timezone

from comments.signature import Display
from guidance.models import Section
from tests.comments.builders import approved_comment

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def in_view(page, locator, viewport) -> None:
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["y"] + box["height"] <= viewport["height"], box  # within the first screen
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box  # no sideways scrolling


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_an_organisations_page_lists_its_published_comments_signed_as_chosen(
    new_page, live_server, note, member, stranger, viewport
):
    org = member.organisations.get()
    org.verified_at = timezone.now()
    org.save()
    section = Section.objects.get(document=note, key="rights-based-approach")
    by_member = approved_comment(
        section, text="We endorse it.", organisation=org, user=member, display=Display.ORGANISATION_ONLY
    )
    impostor = approved_comment(
        section, text="Me too.", organisation=org, user=stranger, display=Display.NAME_AND_ORGANISATION,
        user_name="Not A Member",
    )  # fmt: skip
    approved_comment(section, text="Hidden.", organisation=org, display=Display.ANONYMOUS, user_name="Secret")
    page = new_page(java_script_enabled=False, viewport=viewport)
    page.goto(f"/organisations/{org.slug}/")
    entries = page.locator("ul.org-entries > li")
    assert entries.count() == 2
    listed = page.locator("ul.org-entries").inner_text()
    assert "Secret" not in listed and "Not A Member" in listed
    assert page.locator(f'ul.org-entries li:has(a[href="/comments/c/{by_member.pk}/"]) .badge.verified').count() == 1
    assert page.locator(f'ul.org-entries li:has(a[href="/comments/c/{impostor.pk}/"]) .badge.verified').count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.locator(f'a[href="/comments/c/{by_member.pk}/"]').click()
    page.wait_for_load_state()
    assert "We endorse it." in page.locator(f"#c{by_member.pk}").inner_text()


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_a_page_in_a_language_the_note_lacks_says_so_at_the_top(new_page, live_server, note, viewport):
    page = new_page(java_script_enabled=False, viewport=viewport)
    page.goto("/ru" + Section.objects.get(document=note, key="health-services").get_absolute_url())
    notice = page.locator(".notice.untranslated")
    in_view(page, notice, viewport)
    assert "не переведён" in notice.inner_text()
    notice.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator(".notice.untranslated").count() == 0
    assert page.locator("html").get_attribute("lang") == "en"
