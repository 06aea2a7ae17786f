"""Benchmark 5: the first paint on a slow link, the stylesheet in the page against a linked one.

Two gunicorns serve the same database, one with the stylesheet written into each page (the site's
default, campaign/lib/stylesheet.py), one linking it (``SITE_STYLESHEET_INLINE=false``). Debian's
Chromium loads each page in a fresh context (nothing cached) through Chrome's own network emulation:
400 ms round trip, 50 KB/s down and up. The first contentful paint is read from the page's own
Performance API. Each round loads every page from both servers, in a rotated order; the median of
the rounds is reported, with the ratio of the two within each round.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.http import gunicorn

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: The slow link of the issue: 400 ms round trip, 50 KB/s each way (bytes per second for Chrome).
SLOW_LINK = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"


def _first_paint(browser, url: str) -> float:
    """Seconds from navigation to the first contentful paint of ``url``, on the slow link, cold."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        session.send("Network.emulateNetworkConditions", SLOW_LINK)
        page.goto(url, wait_until="load", timeout=120_000)
        for _ in range(300):  # the paint entry is queued shortly after the paint itself
            painted = page.evaluate(FCP)
            if painted is not None:
                return round(painted / 1000, 3)
            page.wait_for_timeout(100)
        raise RuntimeError(f"no first-contentful-paint entry for {url}")
    finally:
        context.close()


def run(*, paths: dict[str, str], rounds: int, log_dir: Path) -> dict:
    """Measure the first paint of each page in ``paths`` ({name: path}), inline against linked."""
    if not CHROMIUM.exists():
        return {"skipped": f"{CHROMIUM} is missing (apt-get install chromium)"}

    measured: dict[str, dict[str, list[float]]] = {name: {"inline": [], "linked": []} for name in paths}
    with (
        gunicorn(log_dir / "gunicorn-paint-inline.log") as (inline_port, _),
        gunicorn(log_dir / "gunicorn-paint-linked.log", env={"SITE_STYLESHEET_INLINE": "false"}) as (linked_port, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            servers = [("inline", inline_port), ("linked", linked_port)]
            for number in range(rounds):
                order = servers if number % 2 == 0 else servers[::-1]
                for name, path in paths.items():
                    for variant, port in order:
                        measured[name][variant].append(_first_paint(browser, f"http://127.0.0.1:{port}{path}"))
        finally:
            browser.close()
    results = {}
    for name, values in measured.items():
        ratios = [a / b for a, b in zip(values["inline"], values["linked"], strict=True)]
        results[name] = {
            "path": paths[name],
            "inline_s": round(statistics.median(values["inline"]), 3),
            "linked_s": round(statistics.median(values["linked"]), 3),
            "ratio": round(statistics.median(ratios), 3),
        }
    return {"link": SLOW_LINK, "rounds": rounds, "pages": results}
