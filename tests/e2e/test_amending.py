"""In a real browser at 360 px: comment on a paragraph and propose new wording, with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from comments import services
from comments.models import Kind, OrgComment, State
from guidance.importer import import_markdown
from guidance.models import Document
from tests.e2e.conftest import assert_only_local_requests

pytestmark = pytest.mark.e2e

ACCESS = "Sex workers must have access to HIV services without fear of arrest or police harassment."
FUNDING = "Funding goes to community-led organisations for at least five years at a time."
PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
def section(transactional_db):
    document = Document.objects.create(slug="note", title="Guidance Note")
    import_markdown(
        document=document,
        source=f"# Guidance Note\n\n## Services {{#services}}\n\n{ACCESS}\n\n{FUNDING}\n",
        label="Draft one",
    )
    return document.sections.get(key="services")


def send_and_confirm(page, form) -> OrgComment:
    form.get_by_label("Your comment", exact=True).fill("Five years is too short for a clinic to take root.")
    form.get_by_label("Organisation", exact=True).fill("Night Workers Union")
    form.get_by_label("My organisation only").check()
    form.get_by_label("Email", exact=True).fill("union@example.org")
    form.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "Check your mail" in page.locator("h1").inner_text()
    path = re.search(r"(/comments/confirm/[\w-]+/)", mail.outbox[-1].body).group(1)
    page.goto(path)
    page.get_by_role("button", name="Confirm my comment").click()
    page.wait_for_load_state()
    return OrgComment.objects.get()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_poster_proposes_new_wording_for_a_paragraph_and_readers_see_it_as_changes(
    new_page, live_server, section, coordinator, eager_tasks, browser_log, javascript
):
    page = new_page(java_script_enabled=javascript, viewport=PHONE_360)
    page.goto(section.get_absolute_url())
    assert fits(page)
    funding = page.locator(".passage", has_text="Funding goes to")
    if javascript:
        # Select "five years" inside the paragraph: the buttons under it fill in the form.
        funding.locator("p").first.evaluate(
            """(p) => {
                const text = p.firstChild;
                const start = text.data.indexOf("five years");
                const range = document.createRange();
                range.setStart(text, start);
                range.setEnd(text, start + "five years".length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            }"""
        )
        page.get_by_role("button", name="Propose new wording for them").click()
        form = page.locator("form.comment-form")
        assert form.get_by_label("The words you are commenting on (optional)").input_value() == "five years"
        form.get_by_label("Your proposed wording (for an amendment)").fill("ten years")
        expected_quote, expected_proposal = "five years", "ten years"
    else:
        funding.get_by_role("link", name="Propose new wording").click()
        page.wait_for_load_state()
        form = page.locator("form.comment-form")
        proposal = form.get_by_label("Your proposed wording (for an amendment)")
        assert proposal.input_value() == FUNDING
        proposal.fill(FUNDING.replace("five years", "ten years"))
        expected_quote, expected_proposal = FUNDING, FUNDING.replace("five years", "ten years")
    assert form.get_by_label("Support with amendments").is_checked()
    assert fits(page)

    comment = send_and_confirm(page, form)
    assert (comment.kind, comment.quote, comment.proposal) == (Kind.AMEND, expected_quote, expected_proposal)
    services.comment_approve(comment=comment, by=coordinator, reason="test")
    assert OrgComment.objects.get().state == State.APPROVED

    page.goto(section.get_absolute_url())
    thread = page.locator("#comments")
    assert thread.locator("del").first.inner_text().strip() == "five"
    assert thread.locator("ins").first.inner_text().strip() == "ten"
    assert "1 amendment" in page.locator(".passage", has_text="Funding goes to").inner_text()
    assert fits(page)
    assert "union@example.org" not in page.content()
    assert not browser_log.console_errors
    assert_only_local_requests(browser_log, live_server)


def test_without_javascript_a_comment_on_a_paragraph_starts_from_its_link(
    new_page, live_server, section, eager_tasks, browser_log
):
    page = new_page(java_script_enabled=False, viewport=PHONE_360)
    page.goto(section.get_absolute_url())
    page.locator(".passage", has_text="Sex workers must").get_by_role("link", name="Comment on this paragraph").click()
    page.wait_for_load_state()
    form = page.locator("form.comment-form")
    assert form.get_by_label("Paragraph (optional)").input_value().startswith("p-")
    form.get_by_label("Comment", exact=True).check()
    comment = send_and_confirm(page, form)
    assert comment.quote == ACCESS
    (key,) = [p.key for p in section.comment_passages() if p.text == ACCESS]
    assert comment.passage_key == key
    assert_only_local_requests(browser_log, live_server)
