"""The page cache of public pages (campaign/lib/cache.py): hits, invalidation, conditional requests,
headers, compression, who is never served from it, what a query string can make it store, and CSRF
on cached pages.

The cache is bypassed while a transaction is open, so the tests that look at hits and misses run
with ``transactional_db`` (no test-wide transaction) and a cache namespace of their own.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import time
import uuid
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from campaign.lib import cache as page_cache
from comments import services, tokens
from comments.models import OrgComment, State
from guidance.importer import import_markdown
from tests.campaign import token_urls
from tests.comments.builders import approved_comment, threads

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def eager_celery():
    """Run the tasks a post or a decision queues in-process (no broker is touched)."""
    from campaign.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def cache_namespace(settings, tmp_path):
    """A cache namespace (and, for local memory, a generation file) of this test's own."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}
    settings.PAGE_CACHE_GENERATION_FILE = tmp_path / "page-cache-generation"
    yield
    from django.core.cache import cache

    with contextlib.suppress(Exception):  # the test may have pointed the cache at nothing
        cache.delete(page_cache.GENERATION_KEY)


@pytest.fixture
def cached(transactional_db, cache_namespace):
    """Hits and misses for real: no test-wide transaction, a fresh cache namespace."""


def waiting_comment(target, text: str) -> OrgComment:
    """A comment waiting for a coordinator (hidden)."""
    comment = approved_comment(target, text=text)
    OrgComment.objects.filter(pk=comment.pk).update(state=State.REVIEW, is_public=False)
    comment.refresh_from_db()
    return comment


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return response, len(ctx.captured_queries)


def state(response) -> str:
    return response.get(page_cache.STATE_HEADER, "")


def text(response) -> str:
    return response.content.decode()


def without_tokens(page: str) -> str:
    """The page without what changes from one rendering to the next: CSRF tokens, the form's signed time."""
    return re.sub(r'(name="(?:csrfmiddlewaretoken|timestamp|security_hash)" value=")[^"]*"', r'\1"', page)


class _FormFields(HTMLParser):
    """The hidden inputs of the page's comment form, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = "comment-form" in (attributes.get("class") or "")
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def hidden_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    assert "security_hash" in parser.fields, "no comment form on the page"
    return parser.fields


def comment_data(page: str, **overrides) -> dict[str, str]:
    return {
        **hidden_fields(page),
        "kind": "endorse",
        "comment": "We endorse this section, as posted from a cached page.",
        "name": "Amina",
        "organisation_name": "Sisters Alliance",
        "city": "Nairobi",
        "country": "KE",
        "language": "en",
        "display": "name_org",
        "email": "amina@example.org",
        "honeypot": "",
        **overrides,
    }


# --- Hits and misses ------------------------------------------------------------------------------


def test_the_second_anonymous_request_is_a_hit_that_runs_no_query(client, cached, section):
    threads(section, 30)
    first, first_queries = queries(client, section.get_absolute_url())
    second, second_queries = queries(client, section.get_absolute_url())
    assert (state(first), state(second)) == ("miss", "hit")
    assert first_queries > 0
    assert second_queries == 0
    assert without_tokens(text(second)) == without_tokens(text(first))
    assert "Top-level comment 0" in text(second)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/about/",
        "/organisations/",
        "/endorsements/",
        "/note/guidance-note/",
        "/note/guidance-note/v2/",
        "/note/guidance-note/v2/print/",
        "/note/guidance-note/sections/rights-based-approach/",
        "/note/guidance-note/compare/",
        "/note/guidance-note/compare/v1/v2/",
        "/note/guidance-note/versions.atom",
        "/comments/feeds/guidance-note.atom",
        "/comments/feeds/guidance-note/rights-based-approach.atom",
    ],
)
def test_every_public_page_is_served_from_the_cache(client, cached, section, url):
    approved_comment(section, text="An approved comment.")
    assert state(client.get(url)) == "miss"
    response, count = queries(client, url)
    assert response.status_code == 200
    assert state(response) == "hit"
    assert count == 0


def test_a_cached_section_shows_every_part_of_a_comment_escaped(client, cached, section, note):
    from django.utils import timezone

    from tests import factories

    original = note.versions.get(number=1)
    organisation = factories.OrganisationFactory(name='Sisters <Alliance> & "Co"', verified_at=timezone.now())
    poster = factories.UserFactory(username="amina")
    organisation.members.add(poster)  # the badge vouches for a member's comment
    root = approved_comment(
        section,
        user=poster,
        text="Signed <b>statement</b>.",
        kind="endorse",
        user_name="Amina <i>",
        organisation=organisation,
        city="Nairobi",
        country="KE",
        on_behalf_of='Network <"N">',
        version=original,
    )
    approved_comment(section, parent=root, text="On behalf of the group.", kind="comment", official=True)
    approved_comment(section, text="Anonymous.", display="anonymous", country="FR", user_name="Hidden Name")
    url = section.get_absolute_url()
    client.get(url)
    page = text(client.get(url))
    assert state(client.get(url)) == "hit"
    for fragment in (
        '<span class="badge kind-endorse">Endorsement</span>',
        "<strong><bdi>Amina &lt;i&gt;</bdi></strong>",
        "<strong><bdi>Sisters &lt;Alliance&gt; &amp; &quot;Co&quot;</bdi></strong>",
        '<span class="badge verified">verified</span>',
        "<span>on behalf of <bdi>Network &lt;&quot;N&quot;&gt;</bdi></span>",
        "<span><bdi>Nairobi</bdi>, Kenya</span>",
        '<span class="comment-language">English</span>',
        "on Original text",
        f'href="{url}?from=1&amp;to=2"',
        '<span class="badge official">Official reply of the working group</span>',
        "<strong>Anonymous participant</strong> · <span>France</span>",
        f'href="/comments/reply/{root.pk}/"',
        f'<a href="#c{root.pk}" aria-label="Link to this comment">#</a>',
        "Signed &lt;b&gt;statement&lt;/b&gt;.",
    ):
        assert fragment in page, fragment
    assert "Hidden Name" not in page


def test_the_query_string_and_the_language_are_part_of_the_key(client, cached, section):
    url = section.get_absolute_url()
    assert state(client.get(url)) == "miss"
    assert state(client.get(url + "?order=newest")) == "miss"
    assert state(client.get(url + "?order=newest")) == "hit"
    french = client.get(f"/fr{url}")
    assert state(french) == "miss"
    assert '<html lang="fr" dir="ltr">' in text(french)
    # The address alone says the language: the header asks in vain, and the English copy is served.
    english = client.get(url, headers={"accept-language": "fr"})
    assert state(english) == "hit"
    assert '<html lang="en" dir="ltr">' in text(english)


def test_an_error_or_a_redirect_is_not_stored(client, cached, section):
    url = section.get_absolute_url() + "?from=nine"
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 400
        assert state(response) == "private"
        assert "private" in response["Cache-Control"]


def test_a_hit_is_answered_before_the_other_middleware_with_the_headers_of_the_miss(client, cached, section):
    url = section.get_absolute_url()
    miss = client.get(url)
    hit = client.get(url)
    assert state(hit) == "hit"
    for header in ("Content-Type", "Content-Language", "X-Frame-Options", "Content-Security-Policy"):
        assert hit[header] == miss[header], header


def test_a_hit_comes_gzipped_from_the_copy_made_on_the_miss(client, cached, section):
    url = section.get_absolute_url()
    plain = text(client.get(url))
    for expected_state in ("hit", "hit"):
        response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
        assert (state(response), response["Content-Encoding"]) == (expected_state, "gzip")
        assert "accept-encoding" in response["Vary"].lower()
        assert int(response["Content-Length"]) == len(response.content) < len(plain) / 3
        assert gzip.decompress(response.content).decode() == plain


def test_a_miss_comes_gzipped_once_not_twice(cached, section):
    url = section.get_absolute_url()
    plain = text(Client().get(url))
    page_cache.bump_generation()
    response = Client().get(url, headers={"accept-encoding": "gzip"})
    assert (state(response), response["Content-Encoding"]) == ("miss", "gzip")
    assert without_tokens(gzip.decompress(response.content).decode()) == without_tokens(plain)


def test_a_page_without_token_is_gzipped_too(cached, note):
    url = "/note/guidance-note/versions.atom"
    plain = Client().get(url).content
    response = Client().get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == plain


def test_a_page_that_expired_in_this_process_is_stored_again_and_hit(cached, note, monkeypatch):
    """After PAGE_CACHE_SECONDS a page misses once, then hits again: the expired copy this process
    kept must not make every later request a miss (it did, until the process dropped the copy)."""
    url = "/note/guidance-note/"
    client = Client()
    assert state(client.get(url)) == "miss"
    assert state(client.get(url)) == "hit"
    later = time.time() + django_settings.PAGE_CACHE_SECONDS + 1
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    assert state(client.get(url)) == "miss"  # expired: rendered again
    assert state(client.get(url)) == "hit"
    assert state(client.get(url)) == "hit"


# --- What a query string can make the cache store ------------------------------------------------


def stored_pages() -> int:
    """How many pages the shared cache and this process's copies hold (every test has its own namespace)."""
    from django.core.cache import cache

    with page_cache._local.lock:
        local = sum(1 for name in page_cache._local.pages if name.startswith(cache.make_key("page:")))
    if isinstance(cache._cache, dict):
        return local
    client = cache._cache.get_client()
    return max(local, len(client.keys(cache.make_key("page:*"))))


@pytest.mark.parametrize(
    "query",
    [
        "?utm_source={n}",  # an unknown parameter
        "?page=1&page={n}",  # a repeated one
        "?order=newest{n}",  # a value no page reads
        "?page=1&x{n}",  # not name=value
        "?" + "&".join(f"p{i}=1" for i in range(50)) + "&n={n}",  # many
    ],
)
def test_unknown_query_strings_store_nothing(client, cached, section, query):
    url = section.get_absolute_url()
    client.get(url)
    before = stored_pages()
    for n in range(5):
        response = client.get(url + query.format(n=n))
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert state(response) == "private"
            assert "private" in response["Cache-Control"]
    assert stored_pages() == before


def test_the_query_strings_of_the_pages_own_links_are_stored(client, cached, section, note):
    for url in (
        section.get_absolute_url() + "?order=newest&page=2&language=fr",
        section.get_absolute_url() + "?from=1&to=2",
        "/endorsements/?kind=concern&country=KE&language=en",
    ):
        assert state(client.get(url)) == "miss", url
        assert state(client.get(url)) == "hit", url


# --- Invalidation ---------------------------------------------------------------------------------


def test_an_approval_shows_on_the_next_request(client, cached, section, coordinator):
    waiting = waiting_comment(section, "Waiting for a coordinator.")
    url = section.get_absolute_url()
    client.get(url)
    assert state(client.get(url)) == "hit"
    assert "Waiting for a coordinator." not in text(client.get(url))

    services.comment_approve(comment=waiting, by=coordinator, reason="test")

    response = client.get(url)
    assert state(response) == "miss"
    assert "Waiting for a coordinator." in text(response)


def test_a_screening_that_keeps_a_comment_hidden_leaves_the_cached_pages_alone(client, cached, section, stranger):
    # Under load a post is screened every second or so: that must not empty the page cache each time.
    url = section.get_absolute_url()
    client.get(url)
    assert state(client.get(url)) == "hit"
    comment = services.comment_submit(
        submission=services.Submission(
            target=section,
            text="Held for a coordinator.",
            kind="comment",
            email="stranger@example.org",
            signature=services.Signature(name="Stranger"),
            language="en",
        ),
        user=stranger,
    )
    assert OrgComment.objects.get(pk=comment.pk).state in {State.REVIEW, State.SPAM}

    assert state(client.get(url)) == "hit"


def test_a_rejection_and_a_withdrawal_disappear_on_the_next_request(client, cached, section, coordinator):
    rejected = approved_comment(section, text="Soon rejected.")
    withdrawn = approved_comment(section, text="Soon withdrawn.")
    url = section.get_absolute_url()
    client.get(url)
    page = text(client.get(url))
    assert "Soon rejected." in page
    assert "Soon withdrawn." in page

    services.comment_reject(comment=rejected, by=coordinator, reason="off topic")
    assert "Soon rejected." not in text(client.get(url))

    # The poster withdraws through the signed link of their mail (another browser).
    token = tokens.withdraw_token(withdrawn)
    assert Client().post(f"/comments/withdraw/{token}/").status_code == 200
    assert OrgComment.objects.get(pk=withdrawn.pk).state == State.WITHDRAWN
    response = client.get(url)
    assert state(response) == "miss"
    assert "Soon withdrawn." not in text(response)
    assert "Soon rejected." not in text(client.get(url))


def test_a_new_version_shows_on_the_next_request(client, cached, section, note):
    url = section.get_absolute_url()
    client.get(url)
    assert "in version 2." in text(client.get(url))
    assert state(client.get("/")) == "miss"

    source = "\n\n".join(
        f"## {key.replace('-', ' ').capitalize()} {{#{key}}}\n\nThe {key.replace('-', ' ')} as reworked in version 3."
        for key in ["introduction", "rights-based-approach", "health-services"]
    )
    import_markdown(document=note, source=source, label="Reworked draft 2")

    response = client.get(url)
    assert state(response) == "miss"
    assert "as reworked in version 3." in text(response)
    assert "Reworked draft 2" in text(client.get("/"))


def test_a_dry_run_import_that_rolls_back_invalidates_nothing(client, cached, section, note):
    url = section.get_absolute_url()
    client.get(url)
    generation = page_cache.current_generation()

    class DryRun(Exception):
        pass

    with pytest.raises(DryRun), transaction.atomic():
        import_markdown(document=note, source="## Introduction {#introduction}\n\nNew.", label="Dry run")
        raise DryRun

    assert page_cache.current_generation() == generation
    assert state(client.get(url)) == "hit"


def test_bump_generation_changes_the_generation(cached):
    before = page_cache.current_generation()
    page_cache.bump_generation()
    assert page_cache.current_generation() != before


def test_a_lost_generation_restarts_higher_than_any_earlier_one(cached, settings):
    from django.core.cache import cache

    if isinstance(cache._cache, dict):  # local memory: the generation lives in a file
        pytest.skip("only a shared cache keeps the generation in the cache")
    before = int(page_cache.current_generation())
    cache.delete(page_cache.GENERATION_KEY)
    page_cache.bump_generation()
    assert int(page_cache.current_generation()) > before


def test_the_generation_is_shared_by_processes_when_the_cache_is_local_memory(cached, settings, tmp_path):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}}
    before = page_cache.current_generation()
    page_cache.bump_generation()
    after = page_cache.current_generation()
    assert after != before
    assert (tmp_path / "page-cache-generation").read_text() == after


# --- Conditional requests -------------------------------------------------------------------------


def test_a_conditional_request_gets_304_on_a_miss_and_on_a_hit(client, cached, section):
    url = section.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    hit, count = queries(client, url, **{"if-none-match": etag})
    assert (hit.status_code, count) == (304, 0)
    assert hit["ETag"] == etag
    assert hit.content == b""

    assert client.get(url, headers={"if-none-match": 'W/"something-else"'}).status_code == 200


def test_a_conditional_request_gets_304_on_a_miss_when_the_page_reads_the_same(client, cached, note):
    url = "/note/guidance-note/versions.atom"  # no form, so no signed timestamp that changes each second
    etag = client.get(url)["ETag"]
    page_cache.bump_generation()
    miss, count = queries(client, url, **{"if-none-match": etag})
    assert miss.status_code == 304
    assert count > 0  # rendered again, and found the same


def test_a_change_on_the_page_changes_its_etag(client, cached, section, coordinator):
    waiting = waiting_comment(section, "Waiting.")
    url = section.get_absolute_url()
    etag = client.get(url)["ETag"]
    services.comment_approve(comment=waiting, by=coordinator)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "Waiting." in text(response)


def test_a_feed_without_form_has_one_etag_for_everybody(cached, section):
    url = "/comments/feeds/guidance-note/rights-based-approach.atom"
    etag = Client().get(url)["ETag"]
    assert Client().get(url)["ETag"] == etag
    assert Client().get(url, headers={"if-none-match": etag}).status_code == 304


# --- Headers ------------------------------------------------------------------------------------


def test_an_anonymous_page_may_be_kept_briefly_by_proxies(client, section, db):
    # Nothing in a section page is its visitor's: public from the first response, no cookie.
    responses = [client.get(section.get_absolute_url()) for _ in range(2)]
    for response in responses:
        assert not response.cookies
        assert sorted(response["Cache-Control"].split(", ")) == ["max-age=30", "public"]
        vary = {value.strip().lower() for value in response["Vary"].split(",")}
        assert "cookie" in vary
        assert "accept-language" not in vary  # the address says the language (campaign/lib/i18n.py)


def test_a_feed_is_public_from_the_first_request(client, note):
    response = client.get("/note/guidance-note/versions.atom")
    assert not response.cookies
    assert sorted(response["Cache-Control"].split(", ")) == ["max-age=30", "public"]


def test_a_signed_in_member_is_never_served_from_the_cache(client, cached, section, member):
    anonymous = Client()
    anonymous.get(section.get_absolute_url())
    assert state(anonymous.get(section.get_absolute_url())) == "hit"

    client.force_login(member)
    for _ in range(2):
        response, count = queries(client, section.get_absolute_url())
        assert state(response) == "private"
        assert count > 0
        assert "public" not in response["Cache-Control"]
        assert {"private", "no-cache"} <= set(response["Cache-Control"].split(", "))


def test_coordinators_pages_are_never_cached(client, cached, coordinator):
    def views(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    def marked(callback) -> bool:
        # A function view carries the mark; a Feed instance carries it on its class's __call__.
        method = None if hasattr(callback, "__name__") else type(callback).__dict__.get("__call__")
        return getattr(callback, page_cache.MARKER, False) or getattr(method, page_cache.MARKER, False)

    everything = list(views(get_resolver()))
    coordinators = [(route, callback) for route, callback in everything if route.startswith(("admin/", "desk/"))]
    assert any(route.startswith("admin/") for route, _ in coordinators)
    assert not [route for route, callback in coordinators if marked(callback)]
    assert [route for route, callback in everything if marked(callback)], "no public page is cached at all"

    login = client.get("/admin/login/")
    assert page_cache.STATE_HEADER not in login
    assert "no-store" in login["Cache-Control"] or "private" in login["Cache-Control"]
    client.force_login(coordinator)
    for url in ("/admin/", "/desk/"):
        response = client.get(url)
        if response.status_code == 404:
            continue
        assert page_cache.STATE_HEADER not in response
        assert "public" not in response.get("Cache-Control", "")
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_page_showing_a_message_is_neither_stored_nor_served_from_the_cache(client, cached, section, member):
    url = section.get_absolute_url()
    assert state(Client().get(url)) in {"miss", "hit"}
    assert state(Client().get(url)) == "hit"

    # Only a signed-in member hears of a repeat at once (by account, never by a typed address): the
    # second answer is a message on the page commented on.
    client.force_login(member)
    page = text(client.get(url))
    client.post("/comments/post/", comment_data(page, email=member.email))
    posted = client.post("/comments/post/", comment_data(page, email=member.email))
    assert posted.status_code == 302
    with_message = client.get(posted["Location"])
    assert "You already sent this comment" in text(with_message)
    assert state(with_message) == "private"
    assert "public" not in with_message["Cache-Control"]

    # The message was shown once, to its member; anonymous readers still get the stored page without it.
    after = Client().get(url)
    assert state(after) == "hit"
    assert "You already sent this comment" not in text(after)
    assert "You already sent this comment" not in text(client.get(url))


def test_inside_a_transaction_the_cache_is_bypassed_with_the_same_headers(client, section, db):
    url = section.get_absolute_url()
    client.get(url)
    response, count = queries(client, url)
    assert state(response) == "bypass"
    assert count > 0
    assert "public" in response["Cache-Control"]
    feed = "/note/guidance-note/versions.atom"  # no form: no signed timestamp that changes every second
    etag = client.get(feed)["ETag"]
    assert client.get(feed, headers={"if-none-match": etag}).status_code == 304


def test_a_cache_that_cannot_be_reached_only_costs_the_rendering(client, cached, section, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    approved_comment(section, text="Still readable.")
    response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    assert "Still readable." in text(response)
    page_cache.bump_generation()  # logs, does not raise


# --- CSRF on cached pages -----------------------------------------------------------------------


@pytest.mark.urls("tests.campaign.token_urls")
def test_a_page_holding_a_csrf_token_is_rendered_for_each_visitor(cached):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [first.get(token_urls.URL), first.get(token_urls.URL), second.get(token_urls.URL)]
    assert [state(page) for page in pages] == ["private"] * 3
    tokens = [TOKEN_RE.search(text(page)).group(1) for page in pages]
    assert django_settings.CSRF_COOKIE_NAME in pages[0].cookies
    # Each visitor's own token passes Django's CSRF check (here on the desk's sign-in, which is checked
    # for everybody: a wrong password then gets the form again, not a 403).
    assert second.post("/desk/sign-in/", {}).status_code == 403
    assert second.post("/desk/sign-in/", {"csrfmiddlewaretoken": tokens[2]}).status_code == 200


def test_an_anonymous_visitor_without_csrf_cookie_posts_from_a_cached_page(cached, section):
    url = section.get_absolute_url()
    Client().get(url)
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url)
    assert state(page) == "hit"
    reader.cookies.clear()  # a browser that keeps no cookie, or a copy a proxy kept

    response = reader.post("/comments/post/", comment_data(text(page)))

    assert response.status_code == 302, text(response)
    assert OrgComment.objects.get().state == State.UNCONFIRMED


def test_the_comment_form_carries_a_token_only_for_a_signed_in_member(cached, section, member):
    form = re.compile(r'<form class="comment-form".*?</form>', re.DOTALL)
    anonymous = form.search(text(Client().get(section.get_absolute_url()))).group(0)
    assert "csrfmiddlewaretoken" not in anonymous
    browser = Client()
    browser.force_login(member)
    signed_in = form.search(text(browser.get(section.get_absolute_url()))).group(0)
    assert TOKEN_RE.search(signed_in), signed_in[:600]


def test_a_signed_in_member_without_a_valid_csrf_token_is_refused(cached, section, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    page = text(browser.get(section.get_absolute_url()))
    data = comment_data(page, email=member.email)  # the account's address: no confirmation mail

    data.pop("csrfmiddlewaretoken", None)
    assert browser.post("/comments/post/", data).status_code == 403
    data["csrfmiddlewaretoken"] = "x" * 64
    assert browser.post("/comments/post/", data).status_code == 403
    assert not OrgComment.objects.exists()

    data["csrfmiddlewaretoken"] = TOKEN_RE.search(page).group(1)
    assert browser.post("/comments/post/", data).status_code == 302
    assert OrgComment.objects.get().state != State.UNCONFIRMED  # signed in: no email confirmation


def test_an_edit_in_the_admin_reaches_readers_at_once(cached, admin_user):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Night Workers Collective", description="Founded in 2009.")
    url = organisation.get_absolute_url()
    assert state(Client().get(url)) == "miss"
    assert state(Client().get(url)) == "hit"
    editor = Client()
    editor.force_login(admin_user)
    change = f"/admin/campaign/organisation/{organisation.pk}/change/"
    data = {
        "name": "Night Workers Collective",
        "slug": organisation.slug,
        "city": "Nairobi",
        "country": "KE",
        "description": "Founded in 2009; a national network since 2024.",
        "_save": "Save",
    }
    response = editor.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = Client().get(url)
    assert state(response) == "miss"
    assert "a national network since 2024" in text(response)
