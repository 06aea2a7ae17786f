"""In a real browser: post, confirm, approve, read; with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comments.models import OrgComment, State
from guidance.models import Section
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

STATEMENT = "Sisters Alliance endorses this section.\n1. Decriminalise.\n2. Fund peer-led clinics."


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_stranger_posts_confirms_and_reads_their_approved_comment(
    new_page, live_server, note, coordinator, eager_tasks, browser_log, javascript
):
    section = Section.objects.get(document=note, key="rights-based-approach")
    page = new_page(java_script_enabled=javascript)
    page.goto(section.get_absolute_url())
    form = page.locator("form.comment-form")
    form.get_by_label("Endorsement").check()
    form.get_by_label("Your comment", exact=True).fill(STATEMENT)
    form.get_by_label("Organisation", exact=True).fill("Sisters Alliance")
    form.get_by_label("Country", exact=True).select_option("KE")
    form.get_by_label("My organisation only").check()
    form.get_by_label("Email", exact=True).fill("amina@example.org")
    form.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "Check your mail: open the link in it within 7 days" in page.locator("h1").inner_text()
    page.goto(section.get_absolute_url())
    assert STATEMENT.splitlines()[0] not in page.locator("#comments ol").all_inner_texts().__str__()

    # The confirmation mail carries an opaque link; opening it asks, the button confirms.
    assert len(mail.outbox) == 1
    path = re.search(r"(/comments/confirm/[\w-]+/)", mail.outbox[0].body).group(1)
    page.goto(path)
    page.get_by_role("button", name="Confirm my comment").click()
    page.wait_for_load_state()
    assert "awaiting moderation" in page.content()
    assert OrgComment.objects.get().state == State.REVIEW  # screened: a first-time poster waits for a person

    # A coordinator approves it in the admin, through the same service the desk will use.
    admin = new_page(java_script_enabled=javascript)
    admin.goto("/admin/login/?next=/admin/comments/orgcomment/")
    admin.get_by_label("Username").fill("coordinator")
    admin.get_by_label("Password").fill("a-long-test-password")
    admin.get_by_role("button", name="Log in").click()
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("approve")
    admin.get_by_role("button", name="Run").click()
    admin.wait_for_load_state()
    assert OrgComment.objects.get().state == State.APPROVED

    page.goto(section.get_absolute_url())
    thread = page.locator("#comments")
    assert "Sisters Alliance endorses this section." in thread.inner_text()
    assert "Sisters Alliance" in thread.inner_text()
    assert "amina@example.org" not in page.content()
    assert_only_local_requests(browser_log, live_server)
