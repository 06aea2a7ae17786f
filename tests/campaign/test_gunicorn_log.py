"""gunicorn's access log, from a real gunicorn: no client address, no query string, no posters' tokens.

gunicorn starts from the project's folder, so it reads gunicorn.conf.py as in ``make demo`` and
the Docker image; it serves the test database. The requests come from a loopback address of their
own (127.61.62.63: all of 127.0.0.0/8 is this machine) with a forwarded address, a referer and a
user agent, none of which may reach the log.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.system.processes import free_port, wait_until, with_database_name

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLIENT_ADDRESS = "127.61.62.63"
FORWARDED = "198.51.100.77"
TOKEN = "Zq8secretTokenFromAMail"
PROBE = "/organisations/"  # asked until gunicorn answers; its lines are left out below
REQUESTS = [
    ("GET", "/about/?from=newsletter&email=someone%40example.org"),
    ("GET", f"/comments/withdraw/{TOKEN}/"),
    ("GET", f"/comments/yours/{TOKEN}/copy.json"),
    ("GET", f"/comments/confirm/{TOKEN}/"),
    ("POST", f"/comments/mute/{TOKEN}/"),
    ("GET", f"/subscriptions/manage/{TOKEN}/"),
    ("POST", f"/fr/subscriptions/unsubscribe/{TOKEN}/"),  # a one-click unsubscribe: answered 200
    ("GET", f"/es/subscriptions/confirm/{TOKEN}/"),
    ("GET", "/no-such-page/"),
]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return with_database_name(os.environ["DATABASE_URL"], settings["NAME"])


@pytest.fixture
def gunicorn(db, tmp_path):
    """A real gunicorn on a free port, its access log in a file; stopped at the end."""
    port = free_port()
    access_log = tmp_path / "access.log"
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST_", "REDIS_URL", "DATABASE_URL"))
    }
    # DEBUG off as in production: Django then answers with the site's error pages, not its technical ones.
    environ.update(
        DJANGO_SETTINGS_MODULE="campaign.settings", DATABASE_URL=database_url(), PAGE_CACHE="false", DEBUG="false"
    )
    command = [
        str(GUNICORN), "campaign.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--access-logfile", str(access_log), "--error-logfile", str(tmp_path / "error.log"),
    ]  # fmt: skip
    # The application's own log (Django's, on the console) goes to a file too, to be searched.
    output = (tmp_path / "output.log").open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env=environ, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
    )

    def answers() -> bool:
        assert process.poll() is None, (tmp_path / "error.log").read_text()
        try:
            return ask(port, "GET", PROBE) == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, message="gunicorn did not answer")
        yield port, access_log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        output.close()


def send_raw(port: int, request: bytes, *, source: str = CLIENT_ADDRESS) -> bytes:
    """Send bytes that http.client would refuse to write; return the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20, source_address=(source, 0)) as client:
        client.sendall(request)
        client.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


def ask(port: int, method: str, path: str, *, source: str = "127.0.0.1") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=(source, 0))
    try:
        connection.request(
            method,
            path,
            headers={
                "X-Forwarded-For": FORWARDED,
                "Referer": "http://127.0.0.1/from-a-page-with-a-secret",
                "User-Agent": "DistinctiveBrowser/9.9",
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_access_log_holds_no_address_query_or_token(gunicorn):
    port, access_log = gunicorn
    statuses = [ask(port, method, path, source=CLIENT_ADDRESS) for method, path in REQUESTS]
    assert statuses[0] == 200 and statuses[-1] == 404, statuses

    def logged() -> list[str]:
        return [line for line in access_log.read_text().splitlines() if f"GET {PROBE}" not in line]

    wait_until(lambda: len(logged()) >= len(REQUESTS), timeout=10, message="no access log lines")
    lines = logged()
    assert len(lines) == len(REQUESTS), lines
    log = "\n".join(lines)
    for secret in (CLIENT_ADDRESS, FORWARDED, TOKEN, "newsletter", "example.org", "DistinctiveBrowser", "secret"):
        assert secret not in log, (secret, log)
    # Each line still says what was asked and how it went.
    assert '"GET /about/" 200' in lines[0]
    assert '"GET /comments/withdraw/[token]/" 404' in lines[1]
    assert '"GET /comments/yours/[token]/copy.json" 404' in lines[2]
    assert '"POST /comments/mute/[token]/"' in lines[4]
    assert '"GET /subscriptions/manage/[token]/" 404' in lines[5]
    assert '"POST /fr/subscriptions/unsubscribe/[token]/" 200' in lines[6]
    assert '"GET /es/subscriptions/confirm/[token]/" 404' in lines[7]
    assert '"GET /no-such-page/" 404' in lines[8]


def test_the_format_names_no_address_header_or_query():
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - the project's own config file
    access_format = namespace["access_log_format"]
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "}i", "}e"):
        assert atom not in access_format, atom
    assert namespace["loglevel"] == "info"  # at debug, gunicorn logs the address of a malformed request


def test_refused_requests_log_no_address_and_no_traceback(gunicorn, tmp_path):
    """Malformed or oversized requests: gunicorn's own 4xx, or the site's 400 page; never a 500 or an address."""
    port, access_log = gunicorn
    malformed = [
        b"NOT A REQUEST LINE\r\n\r\n",
        b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-H%d: v\r\n" % n for n in range(120)) + b"\r\n",
    ]
    for request in malformed:
        status = send_raw(port, request).split(b"\r\n", 1)[0]
        assert status.startswith(b"HTTP/1.1 4"), status
    site_pages = [
        b"GET /about/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        b"GET /note/x/sections/a%00b/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ]
    for request in site_pages:
        answer = send_raw(port, request)
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert b"This request could not be handled" in answer  # the site's own 400 page
    logs = "\n".join(path.read_text() for path in (access_log, tmp_path / "error.log", tmp_path / "output.log"))
    assert "Invalid request" in logs  # gunicorn did log what it refused, without saying from where
    for secret in (CLIENT_ADDRESS, "ip=127", "Traceback", "Internal Server Error"):
        assert secret not in logs, (secret, logs)
