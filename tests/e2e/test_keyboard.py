"""Keyboard-only journeys in Chromium: no click, no filling by selector. The tests press Tab,
Shift+Tab, Enter and Space, arrow keys in radio groups, and type into whatever has the focus
(which also picks an option of a focused list, as a person typing its first letters does).

Readers and posters go with JavaScript off, so these also prove the journeys work without it;
the coordinator goes with it on, for the desk's shortcuts. Every element the Tab key stops on
must show a visible focus ring.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from comments.models import ModerationEvent, OrgComment, RejectionReason, State
from tests.comments.builders import approved_comment
from tests.e2e.a11y import structure_problems
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

# What the keyboard is on: enough to recognise it, and whether its focus can be seen.
_ACTIVE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = outline || (s.boxShadow && s.boxShadow !== "none");
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", type: e.type || "",
    text: (e.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 100),
    label: e.labels && e.labels.length ? e.labels[0].innerText.trim() : "",
    href: e.getAttribute("href") || "", value: e.value || "", ring: ring,
    item: e.closest("[data-desk-item]") ? e.closest("[data-desk-item]").id : "",
  };
}"""
STATEMENT = "Sisters Alliance endorses this section.\n1. Decriminalise.\n2. Fund peer-led clinics."


def active(page) -> dict:
    return page.evaluate(_ACTIVE)


def tab_to(page, wanted: Callable[[dict], bool], *, backwards: bool = False, limit: int = 120) -> dict:
    """Press Tab (or Shift+Tab) until the focused element is the wanted one; each stop shows its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        element = active(page)
        assert element["ring"], f"no visible focus on {element}"
        if wanted(element):
            return element
    raise AssertionError(f"{limit} presses of {key} never reached the element on {page.url}")


def text(pattern: str) -> Callable[[dict], bool]:
    return lambda e: re.search(pattern, e["text"]) is not None


def label(pattern: str) -> Callable[[dict], bool]:
    return lambda e: re.search(pattern, e["label"]) is not None


def wait_for_focus(page, element_id: str, timeout: float = 5000) -> None:
    """Give the browser until its next rendering steps to move the focus (autofocus runs there)."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the assertion that follows says what has the focus
        page.wait_for_function(
            f"document.activeElement && document.activeElement.id === '{element_id}'", timeout=timeout
        )


def press(page, key: str) -> None:
    """Press a key that leads to another page, and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def assert_skip_link_first(page) -> None:
    """The first Tab stop is the skip link, and it moves the focus into the main landmark."""
    page.keyboard.press("Tab")
    first = active(page)
    assert first["href"] == "#main" and first["ring"], first
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"


def test_a_reader_reads_and_navigates_by_keyboard(new_page, live_server, note, browser_log):
    page = new_page(java_script_enabled=False)
    page.goto(reverse("campaign:home"))
    assert not structure_problems(page, "home")
    assert_skip_link_first(page)

    # From the home page's contents to the section in the full text.
    tab_to(page, text(r"Rights based approach"))
    press(page, "Enter")
    assert page.url.endswith("/v2/#rights-based-approach")
    assert not structure_problems(page, "version")
    # The link moved the reading position: the next Tab is in that section.
    link = tab_to(page, lambda e: e["tag"] == "a", limit=1)
    assert link["text"] == "History of this section and comments", link
    press(page, "Enter")
    assert page.url.endswith("/sections/rights-based-approach/")
    assert not structure_problems(page, "section")
    assert_skip_link_first(page)

    # Compare two versions of the section with the lists of the compare form.
    tab_to(page, text(r"^Compare versions of this section$"))
    page.keyboard.press("Enter")
    assert tab_to(page, label(r"^From version$"), limit=1)["value"] == "1"
    page.keyboard.type("2")
    tab_to(page, label(r"^to version$"), limit=1)
    page.keyboard.type("1")
    tab_to(page, label(r"^side by side$"), limit=1)  # the box is left unticked: the changes inline
    tab_to(page, text(r"^Show the changes$"), limit=1)
    press(page, "Enter")
    assert re.search(r"from=2&to=1", page.url), page.url
    assert page.get_by_role("heading", name="Changes from version 2 to version 1").is_visible()
    # Back up to the link to the next section, and there, its changes side by side.
    tab_to(page, text(r"^Next section 3 Health services$"), backwards=True)
    press(page, "Enter")
    assert page.url.endswith("/sections/health-services/"), page.url
    tab_to(page, text(r"^side by side$"))
    press(page, "Enter")
    assert page.url.endswith("/sections/health-services/compare/v1/v2/side-by-side/"), page.url
    assert not structure_problems(page, "section side by side")
    assert_only_local_requests(browser_log, live_server)


def test_a_poster_corrects_posts_confirms_replies_and_withdraws_by_keyboard(
    new_page, live_server, section, eager_tasks, browser_log
):
    earlier = approved_comment(section, text="We run a drop-in centre.", organisation_name="Night Workers Union")
    page = new_page(java_script_enabled=False)
    page.goto(section.get_absolute_url())

    # An endorsement, shown under the organisation only, but without the organisation or an email.
    assert tab_to(page, lambda e: e["name"] == "kind")["value"] == "comment"
    page.keyboard.press("ArrowUp")  # from "Comment" back through the kinds...
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    assert active(page)["value"] == "endorse"  # ...to "Endorsement"
    # Past the paragraph, the quoted words and the proposed wording, left empty: a comment on the section.
    tab_to(page, label(r"^Your comment$"), limit=4)
    page.keyboard.type(STATEMENT)
    tab_to(page, lambda e: e["name"] == "display")
    page.keyboard.press("ArrowDown")
    assert active(page)["value"] == "org"
    tab_to(page, text(r"^Send$"))
    press(page, "Enter")

    # The form comes back with the text kept and a summary of the problems, which has the focus.
    # The browser runs autofocus at its next rendering step, which may come after the load event.
    wait_for_focus(page, "error-summary")
    summary = active(page)
    assert summary["id"] == "error-summary", summary
    assert page.locator("#error-summary").get_attribute("role") == "alert"
    links = page.locator("#error-summary a").all_inner_texts()
    assert [t.split(":")[0] for t in links] == ["Organisation", "Email"], links
    assert page.locator("#id_comment").input_value() == STATEMENT
    assert not structure_problems(page, "form with errors")
    tab_to(page, text(r"^Organisation:"), limit=1)
    page.keyboard.press("Enter")
    field = active(page)
    assert field["id"] == "id_organisation_name", field
    described = page.locator("#id_organisation_name").get_attribute("aria-describedby")
    assert page.locator("#id_organisation_name").get_attribute("aria-invalid") == "true"
    assert "Give your organisation's name" in page.locator(f"#{described}").inner_text()
    page.keyboard.type("Sisters Alliance")
    assert tab_to(page, label(r"^Email$"))["id"] == "id_email"
    page.keyboard.type("amina@example.org")
    tab_to(page, text(r"^Send$"))
    press(page, "Enter")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Check your mail")

    # The mail's link, then the button that confirms.
    body = mail.outbox[-1].body
    page.goto(re.search(r"/comments/confirm/[\w-]+/", body).group(0))
    tab_to(page, text(r"^Confirm my comment$"))
    press(page, "Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you: your comment is confirmed"
    posted = OrgComment.objects.exclude(pk=earlier.pk).get()
    assert (posted.kind, posted.display, posted.organisation_name) == ("endorse", "org", "Sisters Alliance")

    # A reply to the comment already published.
    page.goto(section.get_absolute_url())
    tab_to(page, text(r"^Reply$"))
    press(page, "Enter")
    assert page.url.endswith(reverse("comments:reply", args=[earlier.pk]))
    tab_to(page, label(r"^Your comment$"))
    page.keyboard.type("Where is your centre?")
    tab_to(page, label(r"^Email$"))
    page.keyboard.type("luz@example.org")
    tab_to(page, text(r"^Send reply$"))
    press(page, "Enter")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Check your mail")
    reply = OrgComment.objects.exclude(pk=earlier.pk).get(parent_id=earlier.pk)  # a thread's root is its own parent
    assert reply.comment == "Where is your centre?"

    # The first poster changes their mind: the withdrawal link of their mail.
    page.goto(re.search(r"/comments/withdraw/[\w:-]+/", body).group(0))
    tab_to(page, text(r"^Withdraw my comment$"))
    press(page, "Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Your comment is withdrawn"
    assert OrgComment.objects.values_list("state", flat=True).get(pk=posted.pk) == State.WITHDRAWN
    assert "amina@example.org" not in page.content()
    assert_only_local_requests(browser_log, live_server)


def test_a_coordinator_signs_in_moderates_and_replies_by_keyboard(
    new_page, live_server, section, coordinator, eager_tasks, browser_log
):
    RejectionReason.objects.get_or_create(title="Advertising", defaults={"text": "This is an advert."})
    published = approved_comment(section, text="Is there a French version?", organisation_name="Night Workers")
    waiting = []
    for n in range(2):
        comment = approved_comment(section, text=f"Waiting {n}.", name=f"Poster {n}")
        OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False)
        waiting.append(comment)
    page = new_page()

    # Django's sign-in form puts the focus on the user name.
    page.goto(reverse("admin:login") + "?next=" + reverse("desk:home"))
    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-test-password")
    press(page, "Enter")
    assert page.url.endswith(reverse("desk:home"))
    assert not structure_problems(page, "desk")
    assert_skip_link_first(page)

    # The newest first: approve it with "a", then reject the other with "r", a reason typed, Enter.
    page.keyboard.press("j")
    assert active(page)["id"] == f"item-{waiting[1].pk}"
    assert active(page)["ring"]
    press(page, "a")
    assert active(page)["id"] == f"item-{waiting[0].pk}"
    page.keyboard.press("r")
    assert active(page)["name"] == "reason"
    page.keyboard.type("Adv")
    press(page, "Enter")
    states = dict(OrgComment.objects.filter(pk__in=[c.pk for c in waiting]).values_list("pk", "state"))
    assert states == {waiting[1].pk: State.APPROVED, waiting[0].pk: State.REJECTED}

    # The approved queue, then a reply of the working group under the published comment.
    tab_to(page, lambda e: e["text"].startswith("Approved"))
    press(page, "Enter")
    item = f"item-{published.pk}"
    tab_to(page, lambda e: e["text"] == "Reply on behalf of the working group" and e["item"] == item)
    page.keyboard.press("Space")
    tab_to(page, label(r"^Reply of the working group$"), limit=1)
    page.keyboard.type("Yes: the French translation is online.")
    tab_to(page, label(r"^Language$"), limit=1)
    page.keyboard.type("Fr")
    tab_to(page, text(r"^Publish the reply$"))
    press(page, "Enter")
    assert "is published under" in page.locator(".messages").inner_text()
    official = OrgComment.objects.exclude(pk=published.pk).get(parent_id=published.pk)
    assert (official.official, official.language, official.state) == (True, "fr", State.APPROVED)
    assert ModerationEvent.objects.filter(comment=official, actor=coordinator).exists()
    assert not browser_log.console_errors, browser_log.console_errors
    assert_only_local_requests(browser_log, live_server)
