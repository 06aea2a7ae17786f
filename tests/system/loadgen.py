"""The load generator of test_load.py: posters and readers as threads, every request recorded.

Standard library only (``http.client``), one connection per request, as gunicorn's sync workers
close each one. A visitor keeps the cookies the site sets, as a browser does: readers get the CSRF
cookie on their first page and are then served from the page cache; posters are signed-in members
(a session cookie), so their pages are rendered for them and their posts are checked for CSRF.
"""

from __future__ import annotations

import http.client
import random
import statistics
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from tests.system.helpers import comment_text

LANGUAGES = ("en", "fr", "es", "ru")
TIMEOUT = 30  # gunicorn's own worker timeout: a request slower than this has failed anyway


@dataclass
class Record:
    """One request: what was asked, when (monotonic seconds), and what came back."""

    kind: str  # "read", "form" (a poster opens the page with the form) or "post"
    path: str
    started: float
    finished: float
    status: int | None  # None: no answer (refused, reset or timed out); see error
    error: str = ""
    marker: str = ""  # the unique text a post carried
    body: bytes = b""  # kept for answers of 500 and more only
    cache: str = ""  # what the page cache did (X-Page-Cache): hit, miss, private...

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def overlaps(self, start: float, end: float) -> bool:
        return self.started <= end and self.finished >= start


class Visitor:
    """One visitor's cookies, sent back as a browser would."""

    def __init__(self, port: int, *, language: str = "en", cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.language = language
        self.cookies = dict(cookies or {})

    def request(
        self, kind: str, method: str, path: str, *, fields: dict | None = None, marker: str = ""
    ) -> tuple[Record, bytes]:
        headers = {"Accept-Language": self.language, "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as exc:
            return Record(kind, path, started, time.monotonic(), None, error=repr(exc), marker=marker), b""
        finally:
            connection.close()
        record = Record(kind, path, started, time.monotonic(), response.status, marker=marker)
        record.cache = response.getheader("X-Page-Cache", "")
        if response.status >= 500:
            record.body = content
        for header in response.headers.get_all("Set-Cookie") or ():
            self._keep(header)
        return record, content

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel.value and morsel["max-age"] != "0":
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)


class CommentForm(HTMLParser):
    """The action and the hidden fields (security hash, timestamp, CSRF token...) of a page's comment form."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self._inside = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and "comment-form" in (attributes.get("class") or "").split():
            self._inside, self.action = True, attributes.get("action")
        elif self._inside and tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.hidden[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


class Load:
    """``posters`` signed-in members posting comments and ``readers`` anonymous readers, until ``stop()``.

    A poster opens a section page, types for a few seconds, sends a comment that carries a unique
    marker, pauses, and starts again; a reader opens a page, reads for about a second, and opens
    another. Think times keep the offered load near what the two cores can serve, so the figures
    measure the site under load rather than a queue that grows without end.
    """

    def __init__(
        self,
        port: int,
        *,
        sessions: list[str],
        session_cookie: str,
        emails: list[str],
        sections: list[str],
        pages: list[str],
        readers: int,
        run: str,
        typing: tuple[float, float] = (2.0, 6.0),
        pause: tuple[float, float] = (3.0, 9.0),
        reading: tuple[float, float] = (0.5, 1.5),
    ) -> None:
        self.port = port
        self.sections, self.pages, self.run = sections, pages, run
        self.typing, self.pause, self.reading = typing, pause, reading
        self.records: list[Record] = []  # list.append is atomic: the threads share it without a lock
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._poster, args=(n, session, email), name=f"poster-{n}", daemon=True)
            for n, (session, email) in enumerate(zip(sessions, emails, strict=True))
        ]
        self.session_cookie = session_cookie
        self.threads += [
            threading.Thread(target=self._reader, args=(n,), name=f"reader-{n}", daemon=True) for n in range(readers)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        """Ask every visitor to stop, and wait for their last requests to be answered."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT + 5)
        alive = [thread.name for thread in self.threads if thread.is_alive()]
        assert not alive, f"visitors still waiting for an answer: {alive}"

    def _wait(self, bounds: tuple[float, float], rng: random.Random) -> bool:
        """Think for a while; False when the load is over."""
        return not self.stopping.wait(rng.uniform(*bounds))

    def _poster(self, number: int, session: str, email: str) -> None:
        rng = random.Random(number)
        visitor = Visitor(self.port, cookies={self.session_cookie: session})
        sent = 0
        while self._wait(self.pause, rng):
            section = rng.choice(self.sections)
            record, page = visitor.request("form", "GET", section)
            self.records.append(record)
            form = CommentForm(page.decode(errors="replace")) if record.status == 200 else None
            if form is None or not form.action or not self._wait(self.typing, rng):
                continue
            marker = f"ref-{self.run}-p{number}-n{sent}"
            sent += 1
            fields = {
                **form.hidden,
                "kind": "comment",
                "comment": f"{comment_text(f'p{number}', sent)}\n\nOur reference: {marker}",
                "name": f"Poster {number}",
                "organisation_name": "Load Test Collective",
                "city": "Nairobi",
                "country": "KE",
                "on_behalf_of": "",
                "language": "en",
                "display": "name_org",
                "email": email,
                "honeypot": "",
            }
            record, _ = visitor.request("post", "POST", form.action, fields=fields, marker=marker)
            self.records.append(record)

    def _reader(self, number: int) -> None:
        rng = random.Random(10_000 + number)
        visitor = Visitor(self.port, language=LANGUAGES[number % len(LANGUAGES)])
        while True:
            record, _ = visitor.request("read", "GET", rng.choice(self.pages))
            self.records.append(record)
            if not self._wait(self.reading, rng):
                return


def idle_baseline(port: int, pages: list[str], *, requests: int) -> list[Record]:
    """One reader alone on the site, after one visit of every page (the cache warm): a record per page."""
    visitor = Visitor(port)
    for page in pages:
        visitor.request("read", "GET", page)
    rng = random.Random(0)
    records = []
    for _ in range(requests):
        record, _ = visitor.request("read", "GET", rng.choice(pages))
        assert record.status == 200, f"{record.path} answered {record.status} {record.error} on an idle site"
        records.append(record)
    return records


def reading_figures(records: list[Record]) -> str:
    """p50 and p95 of the pages' times, and the share the page cache answered."""
    cuts = statistics.quantiles([r.seconds for r in records], n=100, method="inclusive")
    hits = sum(r.cache == "hit" for r in records) / len(records)
    return f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, {hits:.0%} from the page cache"
