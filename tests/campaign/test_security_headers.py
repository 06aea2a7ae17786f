"""Every kind of response carries the security headers: pages rendered and from the page cache, 304s,
redirects, errors, static files, feeds, downloads, the desk and the admin.

The production values (HSTS, ``__Host-`` cookies) are set here on a fresh client: the security
middleware reads its settings when the client's handler is built, on its first request.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import path

from campaign import urls as site_urls
from campaign.lib import cache as page_cache
from comments import services, tokens
from comments.models import OrgComment
from tests.comments.builders import approved_comment

NONCE_RE = re.compile(r"'nonce-([^']+)'")


def boom(request):
    raise RuntimeError("a bug in a view")


# The site's URLs plus one view that fails, for the 500 page.
urlpatterns = [*site_urls.urlpatterns, path("boom/", boom)]


def assert_secure_headers(response, what: str) -> None:
    assert response["X-Frame-Options"] == "DENY", what
    assert response["X-Content-Type-Options"] == "nosniff", what
    # Pages reached by a poster's link (and a refusal at such an address) name no referer at all.
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer"), what
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", what
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "browsing-topics=()"):
        assert feature in permissions, (what, permissions)
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
        assert directive in policy, (what, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, what
    assert "http:" not in policy and "https:" not in policy and "*" not in policy, (what, policy)
    nonces = NONCE_RE.findall(policy)
    body = b"" if response.streaming else response.content
    if nonces:
        # A nonce is announced only by a page that uses it, and then it is this response's own.
        assert f'nonce="{nonces[0]}"'.encode() in body, what
    else:
        assert b"nonce=" not in body, what


@pytest.fixture
def cached(transactional_db, settings, tmp_path):
    """Real hits and misses: no test-wide transaction, and a cache namespace of this test's own."""
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "generation"


def test_public_pages_carry_every_header_from_the_cache_or_not(client, cached, section, note):
    approved_comment(section, text="An approved endorsement.", kind="endorse")
    url = section.get_absolute_url()
    miss = client.get(url)
    hit = client.get(url)
    assert (miss[page_cache.STATE_HEADER], hit[page_cache.STATE_HEADER]) == ("miss", "hit")
    not_modified = client.get(url, headers={"if-none-match": hit["ETag"]})
    assert not_modified.status_code == 304
    for what, response in {"miss": miss, "hit": hit, "304": not_modified}.items():
        assert_secure_headers(response, what)
    for url in ("/", f"/note/{note.slug}/v2/print/", f"/comments/feeds/{note.slug}.atom", "/sitemap.xml"):
        for attempt in ("first", "second"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_secure_headers(response, f"{url} ({attempt}: {response.get(page_cache.STATE_HEADER)})")


def test_errors_redirects_and_refusals_carry_every_header(client, db, section, settings):
    comment = approved_comment(section, text="A comment.")
    responses = {
        "redirect": client.get(f"/comments/c/{comment.pk}/"),
        "404": client.get("/no-such-page/"),
        "400": client.post("/comments/post/", {"content_type": "auth.user", "object_pk": "1"}),
        "405": client.get("/comments/post/"),
        "403 csrf": Client(enforce_csrf_checks=True).post("/desk/sign-in/"),
        "404 link": client.get("/comments/withdraw/not-a-token/"),
    }
    assert [response.status_code for response in responses.values()] == [302, 404, 400, 405, 403, 404]
    for what, response in responses.items():
        assert_secure_headers(response, what)


def test_a_server_error_page_carries_every_header(db, settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_secure_headers(response, "500")


def test_a_rate_limited_answer_carries_every_header(client, db, section, settings):
    settings.RATELIMIT_CONFIRM = "1/h"
    submission = services.Submission(
        target=section, text="To confirm.", kind="comment", email="a@example.org", signature=services.Signature(),
        language="en",
    )  # fmt: skip
    comment = services.comment_submit(submission=submission)
    token = services.issue_confirmation_token(comment_id=comment.pk)
    client.post(f"/comments/confirm/{token}/")
    response = client.post(f"/comments/confirm/{token}/")
    assert response.status_code == 429
    assert_secure_headers(response, "429")


def test_static_files_carry_every_header(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert_secure_headers(response, "static file")


def test_downloads_the_desk_and_the_admin_carry_every_header(client, db, section, coordinator):
    comment = approved_comment(section, text="An endorsement.", kind="endorse")
    token = tokens.withdraw_token(OrgComment.objects.get(pk=comment.pk))
    assert_secure_headers(client.get(f"/comments/yours/{token}/copy.json"), "poster's copy")
    assert_secure_headers(client.get(f"/comments/yours/{token}/"), "poster's page")
    login = client.get("/admin/login/")
    assert NONCE_RE.search(login["Content-Security-Policy"]), "the admin's login page uses its nonce"
    assert_secure_headers(login, "admin login")
    client.force_login(coordinator)
    for url in ("/desk/", "/desk/export/endorsements.csv", "/desk/stats/", "/admin/", "/admin/comments/orgcomment/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response, url)


def test_hsts_and_host_only_cookies_in_production(db, settings, note):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    browser = Client()
    response = browser.get("/admin/login/", secure=True)  # a page with a form that needs the cookie
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies["__Host-csrftoken"]
    # What a browser demands of a "__Host-" cookie: Secure, Path=/, no Domain.
    assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"]
    assert_secure_headers(response, "production page")
    # The cookie is taken back: a form posted with it passes the CSRF check.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    data = {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token}
    refused_sign_in = browser.post("/admin/login/", data, secure=True)
    assert refused_sign_in.status_code == 200  # the form again, with its error: not the CSRF 403
