"""The XSS payload lists in a real browser: on the section page and the desk, no dialog opens and no script runs.

Every payload is a comment's text and signature (approved, on the section page; waiting, on the
desk's review queue), and all of them together are a section's Markdown body. The pages are
loaded with the Content-Security-Policy bypassed, so what is proven is the sanitising, not the
CSP: alert, confirm, prompt and print are replaced before any page script with a function that
records the call, every dialog is recorded, and the DOM must hold no script but the desk's own
file, no event-handler attribute and no javascript: or data: URL.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from comments.desk import selectors as desk_selectors
from comments.desk.access import COORDINATORS_GROUP
from comments.models import OrgComment, State
from guidance.models import Section
from guidance.rendering import render_markdown
from tests import factories
from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests
from tests.security.hostile import xss_payloads

pytestmark = pytest.mark.e2e

SENTINEL = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function () { window.__xss.push(name + ": " + Array.from(arguments).join(" ")); };
}
"""

# What the DOM must not hold once the page has loaded.
INSPECT = """() => {
  const found = [];
  for (const script of document.querySelectorAll("script")) {
    const ours = ["desk.js", "comment-form.js", "passages.js"].some(
      (name) => script.src.endsWith("/static/js/" + name));
    if (!ours || script.textContent.trim()) {
      found.push("script " + script.outerHTML.slice(0, 80));
    }
  }
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name === "style" || name === "srcdoc") found.push(element.tagName + " " + name);
      if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(name)
          && /^\\s*(javascript|data|vbscript):/i.test(attribute.value.replace(/[\\t\\n\\r]/g, ""))) {
        found.push(element.tagName + " " + name + "=" + attribute.value.slice(0, 60));
      }
    }
  }
  for (const tag of ["iframe", "object", "embed", "img", "base", "meta[http-equiv]", "frame"]) {
    if (document.querySelector(tag)) found.push("element " + tag);
  }
  // One style element: the site's stylesheet in the head (campaign/lib/stylesheet.py); any other is a payload's.
  const styles = document.querySelectorAll("style");
  if (styles.length > 1 || (styles.length && styles[0].parentElement !== document.head)) found.push("element style");
  return found;
}"""


@pytest.fixture
def hostile_section(note, settings, monkeypatch) -> Section:
    """The section, with every payload as an approved comment (and signature) and a waiting one, and as its body."""
    settings.COMMENTS_PAGE_SIZE = 10_000
    monkeypatch.setattr(desk_selectors, "PAGE_SIZE", 10_000)
    section = Section.objects.get(document=note, key="rights-based-approach")
    payloads = xss_payloads()
    text = section.texts.get(version__number=2)
    text.body_markdown = "\n\n".join(payloads)
    text.body_html = render_markdown(text.body_markdown)
    text.save()
    for payload in payloads:
        signature = {"user_name": payload[:50], "organisation_name": payload[:200], "city": payload[:120]}
        approved_comment(section, text=payload, on_behalf_of=payload[:200], **signature)
        waiting = approved_comment(section, text=payload, **signature)
        OrgComment.objects.filter(pk=waiting.pk).update(state=State.REVIEW, is_public=False)
    return section


def _visit(new_page, path: str, *, log_in: bool = False) -> tuple[object, list[str]]:
    page = new_page(bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.add_init_script(SENTINEL)
    if log_in:
        page.goto("/desk/sign-in/?next=/desk/")
        page.get_by_label("Username").fill("hostile-coordinator")
        page.get_by_label("Password").fill("a-long-test-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/desk/")
    page.goto(path)
    page.wait_for_load_state("load")
    # Give timers and load handlers (setTimeout, onload of late elements) the time to run.
    page.wait_for_timeout(300)
    return page, dialogs


def _assert_inert(page, dialogs: list[str], browser_log, where: str) -> None:
    assert dialogs == [], f"{where}: dialogs opened: {dialogs[:5]}"
    assert page.evaluate("window.__xss") == [], f"{where}: a payload ran"
    assert page.evaluate(INSPECT) == [], f"{where}: {page.evaluate(INSPECT)[:10]}"
    assert browser_log.console_errors == [], f"{where}: {browser_log.console_errors[:5]}"


def test_the_section_page_runs_none_of_the_payloads(new_page, hostile_section, browser_log, live_server):
    page, dialogs = _visit(new_page, hostile_section.get_absolute_url())
    _assert_inert(page, dialogs, browser_log, "section page")
    shown = page.locator(".comment-body").count()
    assert shown == len(xss_payloads())  # every payload is on the page, as text
    assert_only_local_requests(browser_log, live_server)


def test_the_review_queue_runs_none_of_the_payloads(new_page, hostile_section, browser_log, live_server):
    user = factories.UserFactory(username="hostile-coordinator", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    page, dialogs = _visit(new_page, "/desk/queue/review/", log_in=True)
    _assert_inert(page, dialogs, browser_log, "review queue")
    assert page.locator("[data-desk-item]").count() == len(xss_payloads())
    # The desk's own script ran (it shows the shortcuts hint): scripts were on, and only the payloads' failed.
    assert page.locator("#desk-keys-hint").is_visible()
    assert_only_local_requests(browser_log, live_server)
