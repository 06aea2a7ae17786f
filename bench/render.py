"""Benchmark 1: the section page with 10 to 10,000 comments, against django-comments-xtd's stock tree.

Three renderings of the same comments, in this process, each timed as a cache miss:

- **page as served**: a GET of the section page through every middleware, the page cache
  missing (its generation is bumped first). It shows one page of 50 top-level threads with
  their replies, so its cost barely grows with the section.
- **ours, all comments**: our renderer (``{% comments_for %}``: ``selectors.thread_page`` and
  ``comments/thread.html``) with the page size lifted so it renders every comment of the
  section, like the stock tree does.
- **stock tree**: ``{% render_xtdcomment_tree for section %}`` from ``comments_xtd``, the tree
  django-comments-xtd ships, with its own template, in a request context (it needs ``user``).

The queries of each are counted with a database execute wrapper; times are the best of several runs.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import RequestContext, Template
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from campaign.lib.cache import bump_generation

OURS = Template("{% load campaign_comments %}{% comments_for section current %}")
STOCK = Template("{% load comments_xtd %}{% render_xtdcomment_tree for section %}")


@dataclass
class RenderResult:
    comments: int
    threads: int
    page_queries: int
    page_ms: float
    page_bytes: int
    ours_queries: int
    ours_ms: float
    ours_bytes: int
    stock_queries: int
    stock_ms: float
    stock_bytes: int

    @property
    def speedup(self) -> float:
        return self.stock_ms / self.ours_ms if self.ours_ms else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "speedup": round(self.speedup, 2)}


class _Counter:
    """Counts the SQL statements run (a database execute wrapper: no cap, unlike the debug query log)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _timed(function, repeat: int) -> tuple[float, int, int]:
    """Run ``function`` ``repeat`` times; return the best time in ms, the queries of one run, the output size.

    The best of several runs, as ``timeit`` advises: on a shared machine other processes only ever
    add time, so the fastest run is the closest to what the code itself costs.
    """
    times = []
    queries = size = 0
    for attempt in range(repeat):
        counter = _Counter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            output = function()
            times.append((time.perf_counter() - start) * 1000)
        if attempt == 0:
            queries, size = counter.count, len(output)
    return min(times), queries, size


def _request(path: str):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def _served_missed(url: str):
    """A function that GETs ``url`` as a reader would, the page cache missed, and returns its bytes."""
    client = Client()

    def page() -> bytes:
        bump_generation()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert response["X-Page-Cache"] == "miss", response["X-Page-Cache"]
        return response.content

    return page


def measure(section, current_version, *, comments: int, threads: int, repeat: int, stock_repeat: int) -> RenderResult:
    """Measure the three renderings of one section's comments."""
    url = section.get_absolute_url()
    page = _served_missed(url)

    def ours() -> str:
        context = RequestContext(_request(url), {"section": section, "current": current_version})
        return OURS.render(context)

    def stock() -> str:
        context = RequestContext(_request(url), {"section": section})
        return STOCK.render(context)

    page()  # the first request of a process reads a few things once (sites, content types)
    page_ms, page_queries, page_bytes = _timed(page, repeat)
    with override_settings(COMMENTS_PAGE_SIZE=10**9):
        ours()
        ours_ms, ours_queries, ours_bytes = _timed(ours, repeat)
    # The stock template reverses django-comments-xtd's own URLs (reply, permalink), which the site
    # does not mount: bench.urls adds them.
    with override_settings(ROOT_URLCONF="bench.urls"):
        stock_ms, stock_queries, stock_bytes = _timed(stock, stock_repeat)
    return RenderResult(
        comments=comments,
        threads=threads,
        page_queries=page_queries,
        page_ms=page_ms,
        page_bytes=page_bytes,
        ours_queries=ours_queries,
        ours_ms=ours_ms,
        ours_bytes=ours_bytes,
        stock_queries=stock_queries,
        stock_ms=stock_ms,
        stock_bytes=stock_bytes,
    )


def measure_report(document, section, *, rounds: int) -> dict:
    """The consultation report of the whole note against the section page, both as served, cache missed.

    Measured side by side: each round times one report and one section page, one after the other,
    so both meet the machine in the same state; the ratio is the median of the rounds' ratios (a
    change in the machine's load weighs on both sides alike), the times the best of the rounds.
    """
    url = reverse("campaign:report", kwargs={"slug": document.slug})
    report_page = _served_missed(url)
    section_page = _served_missed(section.get_absolute_url())

    report_page()
    section_page()
    report_times, section_times, ratios = [], [], []
    queries = size = 0
    for attempt in range(rounds):
        report_ms, report_queries, report_size = _timed(report_page, 1)
        section_ms, _, _ = _timed(section_page, 1)
        if attempt == 0:
            queries, size = report_queries, report_size
        report_times.append(report_ms)
        section_times.append(section_ms)
        ratios.append(report_ms / section_ms)
    return {
        "url": url,
        "ms": round(min(report_times), 1),
        "section_ms": round(min(section_times), 1),
        "ratio": round(statistics.median(ratios), 3),
        "rounds": [round(r, 3) for r in ratios],
        "queries": queries,
        "bytes": size,
    }
