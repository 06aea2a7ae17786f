"""Benchmarks 2 and 4: the cached section page against a static file of the same size, and memory.

One gunicorn (one sync worker, the site's own WSGI app with whitenoise) serves both URLs on the
loopback; the same client loads each for the same time, one after the other, in the same run:
``wrk`` when installed (Debian's package), otherwise a small load generator of threads with
``http.client``. Neither sends ``Accept-Encoding``, so neither response is compressed: the page
would be gzipped on the fly by GZipMiddleware, while whitenoise serves precompressed files.

The page is measured twice: for a first visit (no cookie) and for a returning visitor (who sends
the CSRF cookie the first response set, if it set one: a section page for an anonymous reader
holds no token and sets no cookie, so the two are the same request).

Memory: the peak resident size (VmHWM) of the gunicorn worker, read from /proc after it served
the biggest section, cache misses included (first, middle and last page, newest first).
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from campaign.lib.cache import bump_generation

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONNECTIONS = 8


@dataclass
class Load:
    url: str
    seconds: float
    requests: int
    errors: int
    requests_per_second: float
    tool: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(log: Path, env: dict[str, str] | None = None):
    """Start gunicorn with one sync worker on a free port; yield (port, master pid); stop it.

    ``env``: variables to set for it on top of this process's environment.
    """
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
            [
                str(GUNICORN),
                "campaign.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/about/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def status_kib(pid: int, field: str) -> int:
    """A size from /proc/<pid>/status, in KiB (VmHWM: peak resident size; VmRSS: resident now)."""
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    return int(match.group(1)) if match else 0


def _wrk(port: int, path: str, seconds: float, headers: dict) -> Load:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)  # noqa: S603
    output = result.stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(path, seconds, requests, errors, rate, "wrk")


def _python_load(port: int, path: str, seconds: float, headers: dict) -> Load:
    counts = [0] * CONNECTIONS
    errors = [0] * CONNECTIONS
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        while time.monotonic() < deadline:
            try:
                status, _, _ = get(port, path, headers)
            except OSError:
                errors[index] += 1
                continue
            counts[index] += 1
            if status != 200:
                errors[index] += 1

    start = time.monotonic()
    workers = [threading.Thread(target=run, args=(i,)) for i in range(CONNECTIONS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - start
    return Load(path, seconds, sum(counts), sum(errors), sum(counts) / elapsed, "python http.client")


def load(port: int, path: str, seconds: float, headers: dict | None = None) -> Load:
    """Load one URL for ``seconds`` with CONNECTIONS concurrent connections; return requests per second."""
    runner = _wrk if shutil.which("wrk") else _python_load
    return runner(port, path, seconds, headers or {})


def run(
    *, page_path: str, page_body: bytes, last_page: int, static_root: Path, seconds: float, rounds: int, log: Path
) -> dict:
    """Serve the cached page and a static file of the same size from one gunicorn; compare; measure memory.

    Each round loads every variant once, in a rotated order; a ratio is taken within each round and
    the median of the rounds is reported, so that a change in the machine's load (other processes)
    during the run weighs on both sides of a ratio alike.
    """
    static_dir = static_root / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    # The same bytes as the page, so the two responses are the same size, and the gzip copy whitenoise
    # serves to clients that accept it (whitenoise reads STATIC_ROOT when it starts).
    (static_dir / "page.html").write_bytes(page_body)
    (static_dir / "page.html.gz").write_bytes(gzip.compress(page_body, 9, mtime=0))
    static_path = "/static/bench/page.html"
    gzip_header = {"Accept-Encoding": "gzip"}

    with gunicorn(log) as (port, master):
        workers = worker_pids(master)
        assert get(port, page_path)[0] == 200
        status, headers, body = get(port, page_path)
        assert headers.get("x-page-cache") == "hit", headers
        # A page with a per-visitor part would set the visitor's CSRF cookie on a first visit; a
        # section page has none (its comment form carries a token only for signed-in members), so
        # a first visit and a return are the same request.
        secret = re.search(r"csrftoken=([A-Za-z0-9]{32})", headers.get("set-cookie", ""))
        returning = {"Cookie": f"csrftoken={secret.group(1)}"} if secret else {}
        assert get(port, page_path, returning)[1].get("x-page-cache") == "hit"
        status, _, static_body = get(port, static_path)
        assert status == 200, status
        assert get(port, static_path, gzip_header)[1].get("content-encoding") == "gzip"
        _, page_gzip_headers, page_gzip = get(port, page_path, {**returning, **gzip_header})
        assert page_gzip_headers.get("content-encoding") == "gzip"
        baseline_kib = status_kib(workers[0], "VmHWM") if workers else 0

        variants = {
            "static": (static_path, {}),
            "page_first_visit": (page_path, {}),
            "page_returning": (page_path, returning),
            "static_gzip": (static_path, gzip_header),
            "page_gzip_returning": (page_path, {**returning, **gzip_header}),
        }
        runs: dict[str, list[Load]] = {name: [] for name in variants}
        names = list(variants)
        for round_number in range(rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                path, request_headers = variants[name]
                runs[name].append(load(port, path, seconds, request_headers))

        # Memory: misses on the biggest section (first, a middle and the last page, newest first).
        middle = max(1, last_page // 2)
        for query in ("", f"?page={middle}", f"?page={last_page}", "?order=newest", f"?page={last_page}&order=newest"):
            bump_generation()
            status, headers, _ = get(port, page_path + query)
            assert status == 200, (query, status)
        peak_kib = status_kib(workers[0], "VmHWM") if workers else 0
        rss_kib = status_kib(workers[0], "VmRSS") if workers else 0

    def ratio(name: str, baseline: str) -> float:
        values = [
            a.requests_per_second / b.requests_per_second for a, b in zip(runs[name], runs[baseline], strict=True)
        ]
        return round(statistics.median(values), 3)

    return {
        "page_bytes": len(body),
        "static_bytes": len(static_body),
        "page_gzip_bytes": len(page_gzip),
        "static_gzip_bytes": (static_dir / "page.html.gz").stat().st_size,
        "tool": runs["static"][0].tool,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "rounds": rounds,
        "requests_per_second": {
            name: round(statistics.median(r.requests_per_second for r in results), 1) for name, results in runs.items()
        },
        "errors": {name: sum(r.errors for r in results) for name, results in runs.items()},
        "ratio_first_visit": ratio("page_first_visit", "static"),
        "ratio_returning": ratio("page_returning", "static"),
        "ratio_gzip_returning": ratio("page_gzip_returning", "static_gzip"),
        "worker_peak_rss_mib": round(peak_kib / 1024, 1),
        "worker_rss_after_start_mib": round(baseline_kib / 1024, 1),
        "worker_rss_now_mib": round(rss_kib / 1024, 1),
    }
