"""Every kind of page, in a real browser with JavaScript on: nothing is requested from another host,
and nothing is refused by the Content-Security-Policy.

The test visits one page of every URL the site routes (the admin through its login, index, a list,
a change and an add form), the error pages (400, 403 CSRF, 404) and the downloads, and records
every request each page makes. A new URL that this test does not visit makes it fail, until it
is added here (or, for an action that only takes a POST and redirects, to ``POST_ONLY``).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from campaign.organisations.models import Organisation
from comments import services, tokens
from comments.models import OrgComment, RejectionReason, State
from guidance.models import Section
from tests.comments.builders import approved_comment
from tests.e2e.conftest import assert_only_local_requests
from tests.subscriptions.builders import make_subscriber

pytestmark = pytest.mark.e2e

# Routes that only take a POST and redirect to a page visited here (or that the test posts to).
POST_ONLY = {
    "comments/post/", "desk/c/<int:comment_id>/approve/", "desk/c/<int:comment_id>/reject/",
    "desk/c/<int:comment_id>/spam/", "desk/c/<int:comment_id>/not-spam/", "desk/c/<int:comment_id>/reply/",
    "desk/bulk/", "desk/keywords/add/", "desk/keywords/<int:rule_id>/delete/", "desk/reasons/add/",
    "desk/reasons/<int:reason_id>/delete/", "desk/organisations/merge/",
    "desk/organisations/<int:organisation_id>/verify/", "desk/organisations/<int:organisation_id>/unverify/",
    "comments/yours/<str:token>/erase/", "desk/c/<int:comment_id>/message/", "desk/c/<int:comment_id>/language/",
    "desk/corrections/<int:revision_id>/approve/", "desk/corrections/<int:revision_id>/reject/",
    "desk/c/<int:comment_id>/answer/", "desk/c/<int:comment_id>/take-up/",
}  # fmt: skip
# The same view as a route visited here, in another language of the note.
# Not a page for a browser: JSON for the health checks; the icon's old address, asked by browsers on their
# own (a redirect to the icon, which every page links and so loads here; tests/campaign/test_sharing.py).
NOT_BROWSER = {"health/", "favicon.ico"}
SAME_VIEW = {"note/<slug:slug>/v<int:number>/<str:lang>/", "note/<slug:slug>/v<int:number>/<str:lang>/print/"}
CSP_REFUSAL = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)
XML_URL = re.compile(r"\.(xml|atom)$")
INLINE_STYLE = "Applying inline style"


def site_routes() -> set[str]:
    """Every route of the site's own URLconf, the admin's excepted."""

    def walk(patterns, prefix: str = "") -> set[str]:
        routes = set()
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route != "admin/":
                    routes |= walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                routes.add(route)
        return routes

    return walk(get_resolver().url_patterns)


@pytest.fixture
def site(note, coordinator) -> dict:
    """An organisation, an approved endorsement with a reply, one comment waiting, a rejection reason."""
    section = Section.objects.get(document=note, key="rights-based-approach")
    organisation = Organisation.objects.create(name="Night Shift Network", slug="night-shift", country="UG")
    endorsement = approved_comment(section, text="We endorse this.", kind="endorse", organisation=organisation)
    reply = approved_comment(section, parent=endorsement, text="So do we.")
    waiting = approved_comment(section, text="Please review me: https://example.org/offer")
    OrgComment.objects.filter(pk=waiting.pk).update(state=State.REVIEW, is_public=False)
    reason, _ = RejectionReason.objects.get_or_create(title="Advertising", defaults={"text": "This is an advert."})
    unconfirmed = approved_comment(section, text="Unconfirmed.")
    OrgComment.objects.filter(pk=unconfirmed.pk).update(state=State.UNCONFIRMED, is_public=False)
    return {
        "section": section,
        "organisation": organisation,
        "endorsement": endorsement,
        "reply": reply,
        "reason": reason,
        "token": tokens.withdraw_token(endorsement),
        "confirm": services.issue_confirmation_token(comment_id=unconfirmed.pk),
        "subscriber waiting": make_subscriber("waiting@example.org", confirmed=False)[1],
        "subscriber": make_subscriber("reader@example.org")[1],
    }


def test_every_page_loads_only_from_this_site_and_breaks_no_csp_rule(page, site, note, browser_log, live_server):
    section, endorsement, token = site["section"], site["endorsement"], site["token"]
    slug = note.slug
    visited: set[str] = set()
    expected_errors: list[str] = []
    refusals: list[tuple[str, str]] = []  # (the page's address, the console's message)
    page.on(
        "console", lambda m: m.type == "error" and CSP_REFUSAL.search(m.text) and refusals.append((page.url, m.text))
    )

    def visit(url: str, status: int = 200) -> None:
        response = page.goto(url)
        assert response is not None and response.status == status, (url, response and response.status)
        if status >= 400:
            expected_errors.append(url)
        else:
            visited.add(resolve(url.split("?")[0]).route)

    def download(url: str, link_name: re.Pattern) -> None:
        with page.expect_download() as info:
            page.get_by_role("link", name=link_name).click()
        assert info.value.url.endswith(url)
        visited.add(resolve(url).route)

    # Readers.
    for url in (
        "/", "/about/", "/organisations/", "/organisations/night-shift/", "/endorsements/", "/sitemap.xml",
        "/robots.txt",
        f"/note/{slug}/", f"/note/{slug}/v2/", f"/note/{slug}/v2/print/", f"/note/{slug}/compare/",
        f"/note/{slug}/compare/v1/v2/", section.get_absolute_url(), f"{section.get_absolute_url()}?from=1&to=2",
        f"/note/{slug}/compare/v1/v2/side-by-side/", f"{section.get_absolute_url()}compare/v1/v2/side-by-side/",
        f"/note/{slug}/versions.atom", f"/comments/feeds/{slug}.atom", f"/comments/feeds/{slug}/{section.key}.atom",
        f"/comments/reply/{endorsement.pk}/", "/search/", "/search/?q=endorse&kind=endorse",
    ):  # fmt: skip
        visit(url)
    visit(f"/comments/c/{site['reply'].pk}/")  # a redirect to the comment on its page
    # The consultation report and its files: the PDF (laid out on the server), the CSV and the JSON.
    visit(f"/note/{slug}/report/")
    download(f"/note/{slug}/report.pdf", re.compile(r"Download the report \(PDF\)"))
    download(f"/note/{slug}/report.csv", re.compile("Its data as CSV"))
    download(f"/note/{slug}/report.json", re.compile("Its data as JSON"))
    # Posters: the form shown again with an error, the mailed links, their data.
    visit(section.get_absolute_url())
    page.locator(".comment-form").get_by_role("button", name="Send").click()
    assert "/comments/post/" in page.url
    visit(f"/comments/confirm/{site['confirm']}/")
    visit(f"/comments/withdraw/{token}/")
    visit(f"/comments/mute/{token}/")
    visit(f"/comments/yours/{token}/")
    download(f"/comments/yours/{token}/copy.json", re.compile("Download a copy"))
    visit(f"/comments/correct/{token}/")
    visit(f"/comments/sent/?content_type=guidance.section&object_pk={section.pk}")
    # Readers subscribed to news by email: the form, its answer, the links in their mail.
    for url in (
        "/subscriptions/", "/subscriptions/sent/", f"/subscriptions/confirm/{site['subscriber waiting']}/",
        f"/subscriptions/manage/{site['subscriber']}/", f"/subscriptions/unsubscribe/{site['subscriber']}/",
        "/subscriptions/unsubscribed/",
    ):  # fmt: skip
        visit(url)
    # Error pages: not found, a broken link, a refused form (no CSRF cookie), a malformed post.
    visit("/no-such-page/", 404)
    visit("/comments/yours/forged/", 404)
    visit("/desk/sign-in/")
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in").click()  # a form whose CSRF cookie is gone
    assert page.get_by_role("heading", name="Your form could not be sent").is_visible()
    visit(section.get_absolute_url())
    page.locator(".comment-form input[name=content_type]").evaluate("input => { input.value = 'auth.user'; }")
    page.locator(".comment-form").get_by_role("button", name="Send").click()
    assert page.get_by_role("heading", name="This request could not be handled").is_visible()
    expected_errors += ["/desk/sign-in/", "/comments/post/"]

    # A coordinator: the sign-in page, the desk, its download, the admin.
    visit("/admin/login/")  # the technical back office keeps Django's own sign-in
    visit("/desk/sign-in/?next=/desk/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/desk/")
    visited.add("desk/")
    for url in (
        "/desk/queue/review/", "/desk/queue/approved/", f"/desk/c/{endorsement.pk}/log/", "/desk/log/",
        "/desk/keywords/", "/desk/reasons/", f"/desk/reasons/{site['reason'].pk}/", "/desk/organisations/",
        "/desk/stats/", "/desk/corrections/", "/desk/amendments/?show=all",
    ):  # fmt: skip
        visit(url)
    download("/desk/export/endorsements.csv", re.compile(r"Endorsements \(CSV\)"))
    for url in (
        "/admin/", "/admin/comments/orgcomment/", f"/admin/comments/orgcomment/{endorsement.pk}/change/",
        "/admin/campaign/organisation/add/", f"/admin/campaign/organisation/{site['organisation'].pk}/change/",
    ):  # fmt: skip
        page.goto(url)
        assert page.locator("#content").count() == 1, url

    missing = site_routes() - visited - POST_ONLY - SAME_VIEW - NOT_BROWSER
    assert not missing, f"routes this test does not visit: {sorted(missing)}"
    assert_only_local_requests(browser_log, live_server)
    # Chromium shows an XML document without a stylesheet (the sitemap) in a viewer of its own, whose
    # inline style the policy refuses: the tree is then shown unstyled. That is the browser, not the site.
    site_refusals = [(url, text) for url, text in refusals if not (XML_URL.search(url) and INLINE_STYLE in text)]
    assert not site_refusals, site_refusals
    unexpected = [f for f in browser_log.failed if not any(f.split(" ", 1)[1].endswith(u) for u in expected_errors)]
    assert not unexpected, unexpected
