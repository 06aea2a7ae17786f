"""Hostile strings, and a sender that feeds them to the site and keeps every failure for the tests to report.

The strings are the Big List of Naughty Strings and three public XSS payload lists, pinned under
tests/data/ with their licences (see tests/data/README.md), plus a few of our own for what those
lists leave out (NUL, newlines, a comment at the length limit, format and template syntax, markup
declarations).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction
from django.template import Template
from django.test import Client, override_settings
from django.test.utils import _TestState

from tests.security import markup

DATA = Path(__file__).resolve().parents[1] / "data"
XSS_LISTS = ("xss-IntrudersXSS.txt", "xss-XSS_Polyglots.txt", "xss-RSNAKE_XSS.txt")

# What the lists above do not hold: control characters (PostgreSQL refuses NUL in text), line breaks
# of every kind, markup split over lines, template and format syntax the site itself uses, and sizes.
OURS = (
    "NUL\x00inside",
    "\x00",
    "line one\r\nline two\rline three\nline four",
    "<a href='javascript:alert(1)'\n>split tag</a>",
    "<scr\nipt>alert(1)</script>",
    "%(name)s %(who)s %s %d {0} {who}",
    "{{ request.META }} {% debug %} {# hidden #}",
    "http://example.org/<script>alert(1)</script>",
    'https://example.org/?a=1&b="><img src=x onerror=alert(1)>',
    "x" * 20_000,
    "ж" * 201,
    # Markup declarations and processing instructions, which Django's own HTML parser chokes on.
    "a<![]>b",
    "a<![CDATA[x]]>b",
    "a<![if !IE]>b<![endif]>",
    "a<!x>b",
    "<!doctype html>",
    "a<?php echo 1 ?>b",
    "a<!--b",
)


@cache
def strings() -> tuple[str, ...]:
    """Every hostile string once, in a fixed order: the naughty strings, the XSS payloads, then ours."""
    found: list[str] = json.loads((DATA / "blns.json").read_text(encoding="utf-8"))
    for name in XSS_LISTS:
        found += (DATA / name).read_text(encoding="utf-8").splitlines()
    found += OURS
    return tuple(dict.fromkeys(found))


# Fields whose value one of Django's own form fields checks against a fixed set or reads as a number
# before any code of the site sees it (choices, ids, positions), and official replies (whose text goes
# through the same code as a visitor's comment, which gets every string) get every other string, to
# keep the suite within its time: HOSTILE_FULL=1 gives them every string too.
FULL = os.environ.get("HOSTILE_FULL", "") not in ("", "0")


def sampled(index: int) -> bool:
    """Say whether the string at ``index`` goes to the fields that get every other string (see FULL)."""
    return FULL or index % 2 == 0


def xss_payloads() -> tuple[str, ...]:
    """Only the XSS payloads (for the browser, which is slower than a parser)."""
    found: list[str] = []
    for name in XSS_LISTS:
        found += [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(dict.fromkeys(found))


# One test poster sends every string: no real poster's rate limit applies (see test_ratelimits.py),
# nothing is screened, and one page of a section holds every comment.
def one_sender_settings() -> override_settings:
    return override_settings(
        COMMENTS_ON_PENDING="",
        COMMENTS_PAGE_SIZE=100_000,
        RATELIMIT_POST_COMMENT="1000000/h",
        RATELIMIT_CONFIRM="1000000/h",
    )


def xml_text(value: str) -> str:
    """Return a text as a reader of an XML document has it: without the control characters XML 1.0
    refuses, and with its line breaks normalised to a line feed, as every XML parser does."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value.replace("\r\n", "\n").replace("\r", "\n"))


@contextmanager
def quiet_request_log() -> Iterator[None]:
    """Keep Django's warning for each of thousands of expected 4xx responses out of the output."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def plain_template_rendering() -> Iterator[None]:
    """Render templates without the test runner's instrumentation, which nothing here reads.

    The test environment wraps every template render to send a signal the test client listens to (to
    fill ``response.context``); a form page renders some 300 templates (one per country in the
    list), and the wrapping makes it half as slow again. The rendering itself is Django's own.
    """
    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    try:
        yield
    finally:
        Template._render = instrumented


@dataclass
class Sender:
    """Sends requests through Django's test client, each in a savepoint of the caller's transaction.

    A response of 500 or more is recorded with the exception behind it and rolled back, so one failure
    neither stops the others nor leaves the transaction broken. Every HTML response is parsed (with
    the fast parser: there are thousands) and markup outside the allow-list is recorded too.
    """

    client: Client = field(default_factory=lambda: Client(raise_request_exception=False))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def send(self, what: str, value: str, method: str, path: str, data: dict | None = None, **extra):
        """Send one request for the field ``what`` carrying ``value``; return its response."""
        savepoint = transaction.savepoint_create()
        response = getattr(self.client, method)(path, data or {}, **extra)
        self.statuses[what][response.status_code] += 1
        if response.status_code >= 500:
            transaction.savepoint_rollback(savepoint)
            exc = response.exc_info[1] if getattr(response, "exc_info", None) else None
            self.failures[what].append(f"{response.status_code} for {value[:60]!r}: {exc!r}")
            return response
        transaction.savepoint_commit(savepoint)
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            found = markup.problems(response.content.decode(), fast=True)
            if found:
                self.failures[what].append(f"markup for {value[:60]!r}: {found[:5]}")
        return response

    def assert_clean(self, what: str) -> None:
        """Fail with every 5xx and every stray markup recorded for one field."""
        assert self.statuses[what], f"nothing was sent to {what}"
        assert not self.failures[what], f"{what}: {len(self.failures[what])} failures: {self.failures[what][:10]}"
