"""The moderation desk in a real browser: keyboard journeys with JavaScript, and buttons without."""

from __future__ import annotations

import pytest

from campaign.celery import app as celery_app
from comments.models import ModerationEvent, OrgComment, RejectionReason, State
from guidance.models import Section
from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def section(note) -> Section:
    return Section.objects.get(document=note, key="rights-based-approach")


@pytest.fixture
def reason(transactional_db) -> RejectionReason:
    # Rows of data migrations do not survive the flush between browser tests: make our own.
    found, _ = RejectionReason.objects.get_or_create(title="Advertising", defaults={"text": "This is an advert."})
    return found


def waiting(target, text: str, *, group: int | None = None, state: str = State.REVIEW) -> OrgComment:
    comment = approved_comment(target, text=text, organisation_name="Sisters Alliance", display="org")
    OrgComment.objects.filter(pk=comment.pk).update(
        state=state,
        is_public=False,
        spam_score=2.0,
        spam_reasons=[{"check": "links", "score": 2.0, "reason": "Contains 3 links."}],
        campaign_group=group,
    )
    return comment


def log_in(page) -> None:
    page.goto("/desk/sign-in/?next=/desk/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/desk/")


def press(page, key: str) -> None:
    """Press a shortcut that submits a form, and wait for the page that comes back."""
    with page.expect_navigation():
        page.keyboard.press(key)


def state_of(comment: OrgComment) -> str:
    return OrgComment.objects.values_list("state", flat=True).get(pk=comment.pk)


def test_a_coordinator_works_through_the_review_queue_with_the_keyboard(
    new_page, live_server, section, coordinator, reason, eager_tasks, browser_log
):
    first, second, third = (waiting(section, f"Statement {n}.") for n in range(3))
    page = new_page()
    log_in(page)
    page.keyboard.press("?")
    assert page.locator("#desk-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#desk-help").is_visible()

    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"item-{third.pk}"  # newest first
    press(page, "a")
    assert state_of(third) == State.APPROVED
    assert f"Comment #{third.pk} approved." in page.locator(".messages").inner_text()

    # The focus comes back to the same place, so the next decision is one key away.
    assert page.evaluate("document.activeElement.id") == f"item-{second.pk}"
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.name") == "reason"
    page.locator(f"#reason-{second.pk}").select_option(str(reason.pk))
    press(page, "Enter")
    assert state_of(second) == State.REJECTED

    page.keyboard.press("k")
    press(page, "a")
    assert state_of(first) == State.APPROVED
    assert "This queue is empty." in page.content()
    actors = set(ModerationEvent.objects.filter(action__in=["approve", "reject"]).values_list("actor_id", flat=True))
    assert coordinator.pk in actors
    assert not browser_log.console_errors, browser_log.console_errors
    assert_only_local_requests(browser_log, live_server)


def test_a_coordinator_undoes_a_spam_decision_with_the_keyboard(
    new_page, live_server, section, coordinator, eager_tasks, browser_log
):
    comment = waiting(section, "Looks like spam but is not.")
    page = new_page()
    log_in(page)
    page.keyboard.press("j")
    press(page, "s")
    assert state_of(comment) == State.SPAM
    assert page.get_by_role("button", name=f"Undo: #{comment.pk} is not spam").is_visible()
    press(page, "u")
    assert state_of(comment) == State.REVIEW
    assert "back in the review queue" in page.locator(".messages").inner_text()
    assert page.locator(f"#item-{comment.pk}").is_visible()
    assert not browser_log.console_errors, browser_log.console_errors
    assert_only_local_requests(browser_log, live_server)


def test_a_coordinator_bulk_approves_a_campaign_group_and_a_selection_with_the_keyboard(
    new_page, live_server, section, coordinator, eager_tasks, browser_log
):
    group = [waiting(section, "We endorse the whole note.", group=7) for _ in range(3)]
    others = [waiting(section, f"Different text {n}.") for n in range(3)]
    page = new_page()
    log_in(page)
    page.get_by_role("button", name="Approve all 3 in this group").focus()
    press(page, "Enter")
    assert all(state_of(c) == State.APPROVED for c in group)
    assert "Approve: 3 comments done." in page.locator(".messages").inner_text()

    # Tick two comments with x, then approve the selection.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("[data-select]:checked").count() == 2
    page.locator("#bulk-form").get_by_role("button", name="Approve").focus()
    press(page, "Enter")
    assert sorted(state_of(c) for c in others) == [State.APPROVED, State.APPROVED, State.REVIEW]
    assert not browser_log.console_errors, browser_log.console_errors
    assert_only_local_requests(browser_log, live_server)


def test_without_javascript_every_decision_is_a_button(
    new_page, live_server, section, coordinator, reason, eager_tasks, browser_log
):
    approve, reject, spam = (waiting(section, f"Plain form {n}.") for n in range(3))
    group = [waiting(section, "Campaign text.", group=9) for _ in range(2)]
    page = new_page(java_script_enabled=False)
    log_in(page)
    assert not page.locator("#desk-keys-hint").is_visible()

    page.locator(f"#item-{approve.pk}").get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert state_of(approve) == State.APPROVED

    item = page.locator(f"#item-{reject.pk}")
    item.get_by_label("Reason").select_option(str(reason.pk))
    item.get_by_label("Note to the poster (optional)").fill("Please post it on your own site.")
    item.get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    assert state_of(reject) == State.REJECTED
    event = ModerationEvent.objects.filter(comment_id=reject.pk, action="reject").get()
    assert event.reason == "This is an advert.\n\nPlease post it on your own site."

    page.locator(f"#item-{spam.pk}").get_by_role("button", name="Spam").click()
    page.wait_for_load_state()
    assert state_of(spam) == State.SPAM
    page.locator(".desk-queues").get_by_role("link", name="Spam").click()
    page.locator(f"#item-{spam.pk}").get_by_role("button", name="Not spam").click()
    page.wait_for_load_state()
    assert state_of(spam) == State.REVIEW

    page.goto("/desk/")
    page.get_by_role("button", name="Approve all 2 in this group").click()
    page.wait_for_load_state()
    assert all(state_of(c) == State.APPROVED for c in group)
    assert "This queue is empty." not in page.content()  # the comment back from spam waits here
    assert page.locator(f"#item-{spam.pk}").is_visible()
    assert_only_local_requests(browser_log, live_server)
