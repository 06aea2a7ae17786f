"""Real processes for the system tests: a private redis-server, a private PostgreSQL, gunicorn and a Celery worker.

Every wait here is a bounded poll; nothing sleeps longer than one poll interval.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu
import redis

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "system"
CELERY = ROOT / ".venv" / "bin" / "celery"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
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
        if self.proc is not None:
            _terminate_group(self.proc, timeout)
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


class Supervisor:
    """Start a worker again whenever it exits by itself, as docker compose's ``restart: unless-stopped`` does.

    Celery 5.7.0's worker exits ("Unrecoverable error: AttributeError: 'NoneType' object has no
    attribute 'hostname'", in kombu's Redis transport) when Redis goes away while it holds a message:
    closing the lost connection, it hands the held messages back through a transport it has already
    released. Production restarts it (docker-compose.yml); so does this. ``exits`` keeps each exit's
    status (tests/system/test_worker.py has the bare case).
    Deliberate kills go through ``kill9_and_restart`` so that they are not counted.
    """

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.exits: list[int] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(POLL):
            with self.lock:
                proc = self.worker.proc
                if proc is None or proc.poll() is None:
                    continue
                self.exits.append(proc.returncode)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # pool children left behind, if any
                self.worker.proc = None
                self.worker.start()

    def kill9_and_restart(self) -> float:
        with self.lock:
            self.worker.kill9()
            return self.worker.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=120)


def postgres_binaries() -> Path | None:
    """The folder of PostgreSQL's server programs (Debian keeps them out of PATH), newest version first."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parts[-3]), reverse=True
    )
    return candidates[0].parent if candidates else None


class PostgresServer:
    """A PostgreSQL cluster of the test's own, in a temporary folder, on a free port, so it can be stopped.

    The shared server on 5432 is never touched. initdb refuses to run as root, so as root the
    cluster belongs to the ``postgres`` user and its programs run through ``runuser``. Trust
    authentication on 127.0.0.1 only; ``fsync=off`` because nothing here must survive the machine
    (a stop, even ``immediate``, loses nothing committed: the write-ahead log is in the kernel's cache).
    """

    def __init__(self) -> None:
        self.bin = postgres_binaries()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL's server programs (pg_ctl, initdb) are not installed")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="system-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.running = False

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, program: str, *args: str, timeout: float = 90) -> None:
        command = [*self.as_user, str(self.bin / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            output = f"{result.stdout}{result.stderr}"
            raise AssertionError(f"{program} failed ({result.returncode}):\n{output}\n{self.tail()}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = " ".join([
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.folder}",
            "-c fsync=off",
            "-c full_page_writes=off",
        ])  # fmt: skip
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """``fast``: end the sessions and shut down cleanly; ``immediate``: quit at once, as in a crash."""
        if self.running:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "60")
            self.running = False

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def remove(self) -> None:
        """Stop the server (if up) and delete its folder."""
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no PostgreSQL log)"


def http_status(port: int, path: str, timeout: float = 10) -> int | None:
    """The status of a GET on 127.0.0.1:port, or None if nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


class Gunicorn:
    """The site under gunicorn, as the Docker image runs it (sync workers), on a free port, in its own group."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 3) -> None:
        self.env = env
        self.log = log
        self.workers = workers
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(GUNICORN), "campaign.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--max-requests", "2000", "--max-requests-jitter", "200",
            "--error-logfile", "-",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            return http_status(self.port, "/about/") == 200

        wait_until(answers, timeout=timeout, message=lambda: f"gunicorn did not answer:\n{self.tail()}")

    def stop(self, timeout: float = 30) -> None:
        if self.proc is not None:
            _terminate_group(self.proc, timeout)
        self.proc = None

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return "(no gunicorn log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _terminate_group(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM a process that leads its own group, then SIGKILL the group if anything of it lingers."""
    pgid = proc.pid
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    if _group_alive(pgid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=10)


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
