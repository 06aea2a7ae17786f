"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright cannot download browsers here, so it launches /usr/bin/chromium (Debian's package
``chromium``; .ci/run installs it). Every page records the requests it makes, and any request
to another host is recorded and then aborted, so a test can never reach the network; use
``assert_only_local_requests`` to fail on them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
# from the test (factories) as "async-unsafe". The test code stays synchronous, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# URLs that never leave the page (inline images, generated objects, the blank page).
LOCAL_SCHEMES = {"data", "blob", "about"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


@dataclass
class BrowserLog:
    """What the pages of one test did: every request, failed responses, console errors."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign_requests(self, base_url: str) -> list[str]:
        """Requests to anything but the live server (another host, or another port)."""
        server = urlsplit(base_url)
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if parts.hostname in LOCAL_HOSTS and parts.port == server.port and parts.scheme == server.scheme:
                continue
            foreign.append(url)
        return foreign


def assert_only_local_requests(log: BrowserLog, live_server) -> None:
    """Fail if any page asked for anything from a host other than the live server."""
    assert log.requests, "no request was recorded: is the page fixture in use?"
    foreign = log.foreign_requests(live_server.url)
    assert not foreign, f"requests left the site: {foreign}"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def fresh_cache(settings) -> None:
    """A cache namespace of this test's own: pages cached by an earlier test (whose rows the
    transactional flush removed) are not served again. Keeps the configured backend (Redis in CI)."""
    default = dict(settings.CACHES["default"])
    default["KEY_PREFIX"] = f"e2e-{uuid.uuid4().hex}"
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture
def new_page(browser, live_server, transactional_db, fresh_cache, browser_log) -> Iterator[Callable]:
    """Open a page in a new browser context: ``new_page(java_script_enabled=False, viewport=...)``.

    Relative URLs go to the live server. Requests to other hosts are logged, then aborted.
    """
    contexts = []
    server = urlsplit(live_server.url)

    def route(route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in LOCAL_SCHEMES or (parts.hostname in LOCAL_HOSTS and parts.port == server.port):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def open_page(**context_options):
        context_options.setdefault("base_url", live_server.url)
        context_options.setdefault("locale", "en-GB")
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        context.route("**/*", route)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: browser_log.requests.append(request.url))
        page.on(
            "response",
            lambda response: response.status >= 400 and browser_log.failed.append(f"{response.status} {response.url}"),
        )
        page.on("console", lambda message: message.type == "error" and browser_log.console_errors.append(message.text))
        page.on("pageerror", lambda error: browser_log.console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page with JavaScript on (the site's progressive enhancement runs)."""
    return new_page()


@pytest.fixture
def page_nojs(new_page):
    """A page with JavaScript off: every core journey must work like this."""
    return new_page(java_script_enabled=False)


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page (390x844 CSS pixels, touch), JavaScript on."""
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True)


def screenshot(page, name: str, **options) -> Path:
    """Save a full-page screenshot under var/screenshots/ and return its path (options: Playwright's)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, **options)
    return path
