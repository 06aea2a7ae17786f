"""Every page type (tests/page_types.py) in Chromium: axe-core finds no WCAG 2.2 A/AA violation,
the page has its landmarks, headings in order and labelled fields, and it reflows without
scrolling sideways at 320 CSS pixels and at 200 % zoom. Screenshots go to var/screenshots/.

Zoom: a browser zoomed to 200 % lays a 1280-pixel window out as 640 CSS pixels, each drawn with
2 device pixels. That is what the context does: device scale factor 2, and a 640x400 viewport
for the zoomed window (a 1280x800 one at 200 %). Media queries, rem and percentages see what
they see under real zoom, and the screenshot is as wide as the window (1280 pixels). CSS
``zoom`` would differ from browser zoom (it leaves the viewport and media queries alone).
320 CSS pixels is WCAG 1.4.10's reflow width (a 1280-pixel window at 400 %, or a small phone).
"""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from tests.e2e.a11y import axe_violations, horizontal_overflow, send, sign_in, structure_problems
from tests.e2e.conftest import assert_only_local_requests, screenshot
from tests.page_types import ANONYMOUS, COORDINATOR, MEMBER, STRANGER, build

pytestmark = pytest.mark.e2e

WINDOW = {"width": 1280, "height": 800}
EXPECTED_STATUS_LOG = re.compile(r"Failed to load resource: the server responded with a status of 40[034]\b")
WIDTHS = {"320px": {"width": 320, "height": 640}, "zoom200": {"width": 640, "height": 400}}


def test_every_page_type_is_accessible_and_reflows(
    new_page, live_server, note, coordinator, member, stranger, eager_tasks, browser_log
):
    page_types = build(note)
    tabs = {}
    for who, user in ((ANONYMOUS, None), (COORDINATOR, coordinator), (MEMBER, member), (STRANGER, stranger)):
        tabs[who] = new_page(viewport=WINDOW, device_scale_factor=2)
        if user:
            sign_in(tabs[who], user, live_server)

    problems = []
    for page_type in page_types:
        page, where = tabs[page_type.who], page_type.name
        page.set_viewport_size(WINDOW)
        if page_type.template:
            page.goto("/")
            page.set_content(render_to_string(page_type.template))
            response = None
        else:
            response = page.goto(page_type.path)
            if page_type.submit:
                response = send(page, page_type.submit)
        if response is not None and response.status != page_type.status:
            problems.append(f"{where}: answered {response.status}, expected {page_type.status}")
            continue
        if page.locator("#desk-help").count():
            page.keyboard.press("?")  # the shortcuts' help, shown over the queue
        problems += axe_violations(page, where)
        problems += structure_problems(page, where)
        for label, size in WIDTHS.items():
            page.set_viewport_size(size)
            overflow, culprits = horizontal_overflow(page)
            if overflow > 0:
                problems.append(f"{where}: {overflow}px too wide at {label}, past the edge: {', '.join(culprits)}")
            screenshot(page, f"{where}-{label}.png")

    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert_only_local_requests(browser_log, live_server)
    # Chromium logs each error status; those of the error pages above are expected.
    unexpected = [e for e in browser_log.console_errors if not EXPECTED_STATUS_LOG.match(e)]
    assert not unexpected, unexpected
