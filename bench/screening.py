"""Benchmark 3: screening on the real Redis, against a no-op task, with one worker process.

One Celery worker (``celery -A campaign worker -Q screening --concurrency 1``, with task events)
consumes the ``screening`` queue of the benchmark's own Redis database. Two tasks run through it:

- ``comments.tasks.screen_comment``: every check, the decision, the audit log and the cache
  invalidation, each on a pending comment of its own;
- ``comments.tasks.noop_comment``: loads and saves the same kind of row and does nothing else, the
  floor set by Celery, Redis and the database.

Throughput: a batch queued at once, timed from the first submission to the last success; three
rounds of a no-op batch then a screening batch of the same size, and the median of the ratios
within each round (as for the HTTP benchmark).
Latency: one task at a time, alternating screening and no-op, from submission (this process's
clock) to the worker's task-succeeded event (the worker's clock, on the same machine).
"""

from __future__ import annotations

import statistics
import subprocess
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from campaign.celery import app

ROOT = Path(__file__).resolve().parent.parent
CELERY = ROOT / ".venv" / "bin" / "celery"
ROUNDS = 3  # of throughput: a no-op batch, then a screening batch


class Events:
    """Task events from the worker, by task id, collected by a thread."""

    def __init__(self) -> None:
        self.by_task: dict[str, dict[str, float]] = defaultdict(dict)
        self.runtime: dict[str, float] = {}  # task id -> seconds inside the task, as the worker reports
        self.failures: list[str] = []
        self.changed = threading.Condition()
        self.connected = threading.Event()

    def _on_event(self, event: dict) -> None:
        kind = event.get("type", "")
        if not kind.startswith("task-"):
            return
        with self.changed:
            self.by_task[event["uuid"]][kind] = event["timestamp"]
            if kind == "task-succeeded" and "runtime" in event:
                self.runtime[event["uuid"]] = event["runtime"]
            if kind == "task-failed":
                self.failures.append(f"{event['uuid']}: {event.get('exception', '')}")
            self.changed.notify_all()

    def listen(self) -> None:
        with app.connection_for_read() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": self._on_event})
            ready = receiver.on_consume_ready

            def on_consume_ready(*args, **kwargs):
                ready(*args, **kwargs)
                self.connected.set()  # subscribed: no event the worker sends from now on is missed

            receiver.on_consume_ready = on_consume_ready
            receiver.capture(limit=None, timeout=None, wakeup=False)

    def start(self) -> None:
        threading.Thread(target=self.listen, daemon=True, name="bench-events").start()
        if not self.connected.wait(30):
            raise RuntimeError("could not listen to the worker's events")

    def wait_done(self, task_ids: list[str], timeout: float) -> dict[str, float]:
        """Wait until every task succeeded or failed; return task id -> task-succeeded time."""
        deadline = time.monotonic() + timeout
        done_kinds = ("task-succeeded", "task-failed")
        with self.changed:
            while True:
                pending = [t for t in task_ids if not any(k in self.by_task.get(t, {}) for k in done_kinds)]
                if not pending:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(pending)} of {len(task_ids)} tasks not done after {timeout:.0f} s")
                self.changed.wait(left)
            return {t: self.by_task[t].get("task-succeeded", float("nan")) for t in task_ids}


@contextmanager
def worker(log: Path):
    """Start one worker process on the screening queue, with task events; wait until it answers."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own executable and arguments
            [
                str(CELERY),
                "-A",
                "campaign",
                "worker",
                "-Q",
                "screening",
                "--concurrency",
                "1",
                "-E",
                "--without-gossip",
                "--without-mingle",
                "-n",
                "bench@%h",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while not app.control.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start; see {log}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _batch(events: Events, task, ids: list[int], timeout: float) -> tuple[float, float]:
    """Queue one task per id at once; return tasks per second from the first submission to the last
    success, and the median time spent inside one task in ms (the rest is Celery, Redis, the pool)."""
    start = time.time()
    task_ids = [task.delay(comment_id).id for comment_id in ids]
    finished = events.wait_done(task_ids, timeout)
    inside = [events.runtime[t] * 1000 for t in task_ids if t in events.runtime]
    return len(ids) / (max(finished.values()) - start), statistics.median(inside) if inside else float("nan")


def _one(events: Events, task, comment_id: int, timeout: float) -> float:
    """Queue one task and wait for it; return its submit-to-success latency in ms."""
    start = time.time()
    task_id = task.delay(comment_id).id
    return (events.wait_done([task_id], timeout)[task_id] - start) * 1000


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(*, batch_ids: list[int], latency_ids: list[int], warm_ids: list[int], noop_ids: list[int], log: Path) -> dict:
    """Measure screening against the no-op task; the ids are pending comments (noop_ids: any comments)."""
    from django.db.models import Count

    from comments import tasks
    from comments.models import OrgComment, State

    events = Events()
    events.start()
    with worker(log):
        for comment_id in warm_ids:  # the first tasks load code, the classifier, connections
            _one(events, tasks.screen_comment, comment_id, 60)
            _one(events, tasks.noop_comment, comment_id, 60)
        # Alternating rounds, a no-op batch then a screening batch of the same size, and the ratio
        # within each round: a machine that slows down for a while slows both sides of a round.
        rounds = [batch_ids[i::ROUNDS] for i in range(ROUNDS)]
        noop_rates, screen_rates, noop_inside, screen_inside = [], [], [], []
        for ids in rounds:
            rate, inside = _batch(events, tasks.noop_comment, (noop_ids * len(ids))[: len(ids)], 300)
            noop_rates.append(rate)
            noop_inside.append(inside)
            rate, inside = _batch(events, tasks.screen_comment, ids, 600)
            screen_rates.append(rate)
            screen_inside.append(inside)
        ratios = [screen / noop for screen, noop in zip(screen_rates, noop_rates, strict=True)]
        noop_latency: list[float] = []
        screen_latency: list[float] = []
        for comment_id in latency_ids:
            noop_latency.append(_one(events, tasks.noop_comment, comment_id, 60))
            screen_latency.append(_one(events, tasks.screen_comment, comment_id, 60))
    screened = batch_ids + latency_ids
    still_pending = OrgComment.objects.filter(pk__in=screened, state=State.PENDING).count()
    decisions = dict(OrgComment.objects.filter(pk__in=screened).order_by().values_list("state").annotate(n=Count("id")))
    return {
        "noop_tasks": len(batch_ids),
        "screen_tasks": len(batch_ids),
        "rounds": ROUNDS,
        "latency_samples": len(latency_ids),
        "noop_per_second": round(statistics.median(noop_rates), 1),
        "screen_per_second": round(statistics.median(screen_rates), 1),
        "rate_ratio": round(statistics.median(ratios), 3),
        "rate_ratios": [round(r, 3) for r in ratios],
        "noop_inside_ms": round(statistics.median(noop_inside), 2),
        "screen_inside_ms": round(statistics.median(screen_inside), 2),
        "noop_ms": {"p50": round(statistics.median(noop_latency), 1), "p95": round(_percentile(noop_latency, 0.95), 1)},
        "screen_ms": {
            "p50": round(statistics.median(screen_latency), 1),
            "p95": round(_percentile(screen_latency, 0.95), 1),
        },
        "p95_ratio": round(_percentile(screen_latency, 0.95) / _percentile(noop_latency, 0.95), 2),
        "decisions": decisions,
        "still_pending": still_pending,
        "failures": events.failures[:10],
    }
