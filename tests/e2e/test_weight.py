"""Page weight: a section page with 50 top-level threads is under 100 KB with its CSS, compressed.

The threads are long, as the campaign's statements are: each top-level comment has 200 to 3,000
characters of prose (numbered lists, signatures, the odd link), and the threads have 100
replies of 200 to 1,000 characters between them: 150 comments, about 140 KB of text before compression.

Two measures: a real browser (Chromium, JavaScript off) summing what it transferred for the
page and everything it loaded (headers included; the page gzipped by Django's GZipMiddleware,
the CSS as the test server sends it, uncompressed, so an upper bound); and, where no browser is
installed, the test client with ``Accept-Encoding: gzip`` plus the page's CSS compressed as
whitenoise serves it.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders

from bench.data import insert_comments
from guidance.models import Section
from tests.e2e.conftest import assert_only_local_requests

BUDGET = 100_000
THREADS = 50
COMMENTS = 150


@pytest.fixture
def long_threads(note) -> Section:
    section = Section.objects.get(document=note, key="rights-based-approach")
    insert_comments(section, COMMENTS, threads=THREADS, lengths=(200, 3000), reply_lengths=(200, 1000), seed=5)
    return section


class _Resources(HTMLParser):
    """What a page would make a browser load: stylesheets, scripts, images, frames, fonts."""

    def __init__(self) -> None:
        super().__init__()
        self.stylesheets: list[str] = []
        self.scripts = 0
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            self.stylesheets.append(attributes["href"])
        # A link loads something only for these relations (not rel="alternate": hreflang addresses).
        loads = set((attributes.get("rel") or "").split()) & {
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
            "manifest",
        }
        if tag in ("link", "img", "script", "iframe", "source", "video", "audio", "embed", "object"):
            url = (
                attributes.get("src") or attributes.get("data") or (tag == "link" and loads and attributes.get("href"))
            )
            if url:
                self.loaded.append(url)


def test_a_section_with_50_threads_weighs_under_100_kb_gzipped_with_its_css(client, long_threads):
    response = client.get(long_threads.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert html.count('class="comment level-0"') == THREADS
    assert html.count('class="comment level-') == COMMENTS

    resources = _Resources()
    resources.feed(html)
    # Two small scripts, the comment form's counters and preview and the passages' selection buttons; the
    # page works without them.
    assert resources.scripts <= 2, "the page needs no JavaScript but the form's and the passages' enhancements"
    assert all(url.startswith("/") and not url.startswith("//") for url in resources.loaded), resources.loaded
    # The stylesheet is in the page (campaign/lib/stylesheet.py), so the gzipped HTML already counts it.
    assert not resources.stylesheets, resources.stylesheets
    assert "<style>" in html
    css = 0  # the scripts
    for href in resources.stylesheets + [url for url in resources.loaded if url.endswith(".js")]:
        path = finders.find(re.sub(r"^/static/", "", href))
        assert path, href
        with open(path, "rb") as stylesheet:
            css += len(gzip.compress(stylesheet.read(), 9))

    total = len(response.content) + css
    html_size = len(response.content)
    print(f"\nsection page, {THREADS} threads: {html_size} B gzipped (CSS in it) + scripts {css} B = {total} B")
    assert total < BUDGET


@pytest.mark.e2e
def test_a_browser_loads_a_section_with_50_threads_in_under_100_kb_from_this_site_only(
    page_nojs, live_server, long_threads, browser_log
):
    transfers: list[tuple[str, int]] = []
    page_nojs.on(
        "requestfinished",
        lambda request: transfers.append(
            (request.url, request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"])
        ),
    )
    response = page_nojs.goto(long_threads.get_absolute_url())
    page_nojs.wait_for_load_state("load")

    assert response.status == 200
    assert response.header_value("content-encoding") == "gzip"
    assert page_nojs.locator("#comments li.comment.level-0").count() == THREADS
    # No inline script: at most the form's and the passages' own files, never fetched without JavaScript.
    sources = page_nojs.locator("script").evaluate_all("(scripts) => scripts.map((s) => s.getAttribute('src'))")
    assert set(sources) <= {"/static/js/comment-form.js", "/static/js/passages.js"}, sources
    assert not any(url.endswith(".js") for url, _ in transfers), transfers
    # The stylesheet comes with the page: no second round trip before the first paint.
    assert not any(url.endswith(".css") for url, _ in transfers), transfers
    total = sum(size for _, size in transfers)
    print(f"\nbrowser transferred {total} B in {len(transfers)} requests: {transfers}")
    assert total < BUDGET
    assert not browser_log.failed
    assert_only_local_requests(browser_log, live_server)
