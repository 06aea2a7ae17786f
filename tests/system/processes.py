"""Real processes for the system tests: a private redis-server and a Celery worker.

Every wait here is a bounded poll; nothing sleeps longer than one poll interval.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu
import redis

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "system"
CELERY = ROOT / ".venv" / "bin" / "celery"
QUEUES = "screening,default,mail,training"
WORKER_NAME = "system@%h"
POLL = 0.5


class Timeout(AssertionError):
    pass


def wait_until(
    predicate: Callable[[], object], *, timeout: float, message: str | Callable[[], str], interval: float = POLL
):
    """Poll ``predicate`` until it returns something truthy; return that, or raise ``Timeout``.

    ``message`` may be a function, called only on timeout (to report the state at that moment).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Timeout(f"after {timeout:.0f} s: {message() if callable(message) else message}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_db(url: str, db: int) -> str:
    """The same Redis server as ``url``, another database number."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def with_database_name(url: str, name: str) -> str:
    """The same PostgreSQL server and credentials as ``url``, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Broker:
    """One Redis database used as the Celery broker; only this database is ever flushed."""

    def __init__(self, url: str) -> None:
        self.url = url

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=5)

    def flush(self) -> None:
        with self.client() as client:
            client.flushdb()

    def queued(self, queue: str = "screening") -> int:
        """Messages waiting in a queue (kombu keeps one list per priority step, all prefixed by the name)."""
        with self.client() as client:
            keys = [key for key in client.scan_iter(match=f"{queue}*") if client.type(key) == b"list"]
            return sum(client.llen(key) for key in keys)

    def unacked(self) -> int:
        """Messages delivered to a worker and not acknowledged yet (kombu's ``unacked`` hash)."""
        with self.client() as client:
            return client.hlen("unacked")

    def unacked_tasks(self) -> list[tuple[str, list]]:
        """(task name, positional arguments) of each unacknowledged message."""
        tasks = []
        with self.client() as client:
            for raw in client.hvals("unacked"):
                message = json.loads(raw)[0]  # [message, exchange, routing key]
                body = message["body"]
                if message["properties"].get("body_encoding") == "base64":
                    body = base64.b64decode(body)
                tasks.append((message["headers"]["task"], json.loads(body)[0]))
        return tasks

    def redeliver_unacked(self) -> int:
        """Put every unacknowledged message back in its queue, with kombu's own code, as a worker does
        once a message has waited longer than the visibility timeout (600 s in settings).

        Returns how many there were (a consuming worker may take them back at once, so the hash
        need not shrink).
        """
        with self.client() as client:
            count = client.zcard("unacked_index")
        with kombu.Connection(self.url, transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=1000, interval=1)
        return count


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk, so it can be killed and restarted."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log = VAR / "redis.log"  # appended to by every server these tests start
        self.starts = 0

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        command = [
            "redis-server",
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", str(VAR),
        ]  # fmt: skip
        with self.log.open("ab") as log:
            header = f"\n===== system test: redis-server on port {self.port}, start #{self.starts + 1} =====\n"
            log.write(header.encode())
            log.flush()
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        wait_until(self.ping, timeout=10, message=f"redis-server on port {self.port} did not answer; see {self.log}")

    def ping(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"redis-server exited with {self.proc.returncode}; see {self.log}")
        try:
            with redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Worker:
    """``celery -A campaign worker`` in a process group of its own, its output appended to one log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def command(self) -> list[str]:
        return [
            str(CELERY), "-A", "campaign", "worker",
            "-Q", QUEUES,
            "--concurrency", "2",
            "--pool", "prefork",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "-n", WORKER_NAME,
            "--loglevel", "INFO",
        ]  # fmt: skip

    def start(self, timeout: float = 60) -> float:
        """Start the worker and wait for its "ready" line; return how long start-up took."""
        assert self.proc is None, "the worker is already running"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        started = time.monotonic()
        with self.log.open("ab") as log:
            log.write(f"\n===== system test: worker start #{self.starts + 1} =====\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: the pool children can be killed with it
            )
        self.starts += 1

        def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the worker exited with {self.proc.returncode} while starting:\n{self.tail()}")
            return " ready." in self.log.read_text(errors="replace")[offset:]

        wait_until(ready, timeout=timeout, message=lambda: f"the worker did not become ready:\n{self.tail()}")
        return time.monotonic() - started

    def kill9(self) -> None:
        """SIGKILL the worker's whole process group at once (main process and pool children)."""
        assert self.proc is not None, "the worker is not running"
        pgid = self.proc.pid  # start_new_session: the main process leads its own group
        os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None
        # The pool children die with the group; give the kernel a moment to make it so.
        wait_until(lambda: not _group_alive(pgid), timeout=10, message=f"process group {pgid} survived SIGKILL")

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM: finish the running tasks), then SIGKILL the group if it lingers."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        if _group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            if self.proc.poll() is None:
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> float:
        self.stop()
        return self.start()

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return "(no worker log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def log_count(self, text: str) -> int:
        return self.log.read_text(errors="replace").count(text) if self.log.exists() else 0


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is still in the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
