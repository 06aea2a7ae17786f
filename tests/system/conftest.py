"""System tests: a real Celery worker against the real PostgreSQL and Redis the environment names.

The worker runs as a subprocess (``celery -A campaign worker``) on the TEST database: its
DATABASE_URL is the environment's with the name of the database pytest-django created. The
broker is a Redis database of these tests' own: ``SYSTEM_REDIS_DB`` (default 9) on the server
REDIS_URL names, or a database on a private redis-server these tests start, kill and restart
(the shared Redis on 6379 is never restarted and never flushed beyond that one database).

Without REDIS_URL, or without a PostgreSQL DATABASE_URL, the tests are skipped; under CI
(env CI set) they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
import redis
from django.db import connection

from tests import factories
from tests.system.helpers import producing_to
from tests.system.processes import VAR, Broker, RedisServer, Worker, with_database_name, with_db

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}
SYSTEM_REDIS_DB = int(os.environ.get("SYSTEM_REDIS_DB", "9"))
REPORTS = pytest.StashKey[dict]()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"system tests need the real services under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def system_services() -> dict[str, str]:
    """The DATABASE_URL and REDIS_URL the environment names, checked to be there and answering."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if urlsplit(database_url).scheme not in POSTGRES_SCHEMES:
        _unavailable("DATABASE_URL does not name a PostgreSQL database (postgres://...): no system tests")
    if not redis_url:
        _unavailable("REDIS_URL is not set: no system tests")
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not installed (apt-get install redis-server): no system tests")
    if int(urlsplit(redis_url).path.strip("/") or 0) == SYSTEM_REDIS_DB:
        pytest.fail(f"REDIS_URL uses database {SYSTEM_REDIS_DB}, which the system tests flush: set SYSTEM_REDIS_DB")
    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3) as client:
            client.ping()
    except redis.RedisError as exc:
        _unavailable(f"REDIS_URL ({redis_url}) does not answer: {exc}")
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can print the worker log on failure."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _failed(node) -> bool:
    return any(report.failed for report in node.stash.get(REPORTS, {}).values())


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """The workers a test started. Every fixture that takes a service away stops them first,
    whatever order pytest tears fixtures down in (``Worker.stop`` is idempotent)."""
    started: list[Worker] = []
    yield started
    stop_all(started)


def stop_all(started: list[Worker]) -> None:
    for worker in started:
        worker.stop()


@pytest.fixture
def shared_broker(system_services, workers) -> Iterator[Broker]:
    """Database SYSTEM_REDIS_DB on the Redis server REDIS_URL names; flushed before and after (that db only)."""
    broker = Broker(with_db(system_services["REDIS_URL"], SYSTEM_REDIS_DB))
    broker.flush()
    yield broker
    stop_all(workers)
    broker.flush()


@pytest.fixture
def private_redis(system_services, workers) -> Iterator[RedisServer]:
    """A redis-server of this test's own on a free port (nothing on disk: a restart loses every message)."""
    server = RedisServer()
    server.start()
    yield server
    stop_all(workers)
    server.stop()


@pytest.fixture
def private_broker(private_redis, workers) -> Iterator[Broker]:
    broker = Broker(private_redis.url(SYSTEM_REDIS_DB))
    broker.flush()
    yield broker
    stop_all(workers)
    if private_redis.ping():
        broker.flush()


def worker_env(system_services: dict[str, str], broker_url: str) -> dict[str, str]:
    """The worker's environment: the test database, the test broker, a one-minute sweep."""
    test_database = connection.settings_dict["NAME"]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="campaign.settings",
        DATABASE_URL=with_database_name(system_services["DATABASE_URL"], test_database),
        REDIS_URL=broker_url,
        COMMENTS_SWEEP_AFTER_MINUTES="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def start_worker(request, system_services, transactional_db, workers) -> Iterator:
    """``start_worker(broker, start=True)``: a real worker on ``broker`` and the test database.

    From the call on, this process publishes to ``broker`` too. With ``start=False`` the worker is
    built but not started (call ``.start()``). Depends on ``transactional_db`` so it is stopped
    before pytest-django empties the tables. Its log (var/system/worker-<test>.log) is printed
    when the test fails.
    """
    assert connection.vendor == "postgresql", connection.vendor
    with ExitStack() as stack:

        def start(broker: Broker, *, start: bool = True) -> Worker:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            log = VAR / f"worker-{name}.log"
            log.unlink(missing_ok=True)
            stack.enter_context(producing_to(broker.url))
            worker = Worker(worker_env(system_services, broker.url), log)
            workers.append(worker)
            stack.callback(worker.stop)
            print(f"\n[system] broker {broker.url}, worker database {worker.env['DATABASE_URL']}, log {log}")
            if start:
                print(f"[system] worker ready in {worker.start():.1f} s")
            return worker

        yield start
    if _failed(request.node):
        for worker in workers:
            print(f"\n===== worker log {worker.log} (last lines) =====\n{worker.tail(200)}")


@pytest.fixture
def target(transactional_db):
    """A document to comment on."""
    return factories.DocumentFactory(slug="system-note")


@pytest.fixture
def posters(transactional_db) -> list:
    """Ten signed-in posters (signed in: their comments go straight to pending)."""
    return [factories.UserFactory(username=f"system-poster-{n}") for n in range(10)]
