"""Outages: Redis and PostgreSQL lost under steady intake, a locked SQLite file, workers killed.

Real processes throughout (`serve`, `worker`), a private redis-server and a private PostgreSQL
cluster that the tests stop and start. The outages last a few seconds in the default suite;
HOOKHUB_SOAK=1 makes them 60 s (Redis) and 30 s (PostgreSQL). Each test prints its figures.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis as redis_lib
from rq import Worker as RqWorker

from tests.e2e.conftest import STOP_SECONDS, Hookhub, fresh_database_url, http, wait_for
from tests.e2e.pg_cluster import running_cluster
from tests.e2e.test_chaos import assert_each_processed_once, count, lead, post_form

pytestmark = pytest.mark.e2e
SOAK = os.environ.get("HOOKHUB_SOAK") == "1"
REDIS_OUTAGE_SECONDS = 60 if SOAK else 4
PG_OUTAGE_SECONDS = 30 if SOAK else 4
RATE = 20.0
RECOVERY_SECONDS = 5
# Short leases, sweeps and grace so that work a dead job held goes back within seconds.
SETTINGS = {
    "HOOKHUB_CLAIM_LEASE_SECONDS": "5", "HOOKHUB_SWEEP_SECONDS": "1",
    "HOOKHUB_INLINE_GRACE_SECONDS": "2", "HOOKHUB_EGRESS_ALLOW": '["127.0.0.1/32"]',
    "HOOKHUB_PUSH_SWEEP_SECONDS": "1", "HOOKHUB_PUSH_RECOVER_GRACE_SECONDS": "2",
    "HOOKHUB_PUSH_SEND_BUDGET_SECONDS": "2", "HOOKHUB_PUSH_DRAIN_SECONDS": "1",
    "HOOKHUB_PUSH_CONNECT_TIMEOUT": "2", "HOOKHUB_PUSH_READ_TIMEOUT": "3",
    "HOOKHUB_PUSH_RETRY_SCHEDULE": "[0, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
    "HOOKHUB_PUSH_RETRY_JITTER": "0",
}
DRAIN_SECONDS = 120.0


class Receiver:
    """A push receiver on 127.0.0.1 that keeps what each event says; it can hold requests."""

    def __init__(self):
        self.records: dict[str, str] = {}  # event id -> record id
        self.deliveries = 0
        self.waiting = 0
        self.gate = threading.Event()
        self.gate.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not receiver.gate.is_set():
                    receiver.waiting += 1
                    receiver.gate.wait(60)
                receiver.records[self.headers["webhook-id"]] = body["data"]["record"]["id"]
                receiver.deliveries += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Answer:
    started: float
    source: str
    n: int
    status: int
    headers: dict
    body: bytes


class Poster(threading.Thread):
    """Post leads at a steady rate, one source after the other, and keep every answer."""

    def __init__(self, sources: list[dict], rate: float = RATE):
        super().__init__(daemon=True)
        self.sources, self.interval = sources, 1 / rate
        self.answers: list[Answer] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        due = time.monotonic()
        n = 0
        while not self.stopping.is_set():
            source = self.sources[n % len(self.sources)]
            started = time.monotonic()
            try:
                r = post_form(source["webhook_url"], lead(n))
                self.answers.append(Answer(started, source["name"], n, r.status, r.headers, r.body))
            except OSError as exc:
                self.answers.append(Answer(started, source["name"], n, 0, {}, str(exc).encode()))
            n += 1
            due += self.interval
            self.stopping.wait(max(0.0, due - time.monotonic()))

    def stop(self) -> None:
        self.stopping.set()
        self.join(60)

    def acknowledged(self) -> dict[int, str]:
        """Webhook id -> the lead's email, for every 2xx answer."""
        return {json.loads(a.body)["id"]: f"lead{a.n}@example.com"
                for a in self.answers if a.status in (200, 202)}


@pytest.fixture
def pg_cluster():
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def install(hub: Hookhub, receiver: Receiver) -> list[dict]:
    """An inline and a deferred source, a push connection for record.created to the receiver."""
    sources = [hub.create_source("inline"), hub.create_source("batch", "--deferred")]
    hub.cli("push-connection", "create", "receiver", receiver.url, "-e", "record.created",
            "--enable")
    return sources


def steady_intake(hub: Hookhub, receiver: Receiver) -> tuple[Poster, subprocess.Popen]:
    """Serve, start one worker and the poster; return once events reach the receiver."""
    poster = Poster(install(hub, receiver))
    hub.serve(rq_workers=0)
    worker = hub.worker()
    poster.start()
    wait_for(lambda: receiver.deliveries >= 20, "deliveries under steady intake")
    return poster, worker


def settle(hub: Hookhub, receiver: Receiver, sent: dict[int, str]) -> dict:
    """Wait until every acknowledged webhook is processed and its event delivered; figures."""
    wait_for(lambda: count(hub, "processed") >= len(sent), "every acknowledged webhook processed",
             timeout=DRAIN_SECONDS, interval=0.5)
    assert_each_processed_once(hub, sent)
    records = {w["records"][0] for w in hub.webhooks()}
    wait_for(lambda: records <= set(receiver.records.values()), "every record.created delivered",
             timeout=DRAIN_SECONDS, interval=0.5)
    return {"acknowledged": len(sent), "processed": count(hub, "processed"),
            "events_delivered": len(set(receiver.records.values()) & records),
            "deliveries": receiver.deliveries}


def report(name: str, figures: dict) -> None:
    print(f"FIGURES {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def test_redis_outage_with_a_job_running(backend, tmp_path, private_redis, receiver):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "outages"), private_redis.url,
                  SETTINGS)
    try:
        poster, worker = steady_intake(hub, receiver)

        receiver.gate.clear()
        wait_for(lambda: receiver.waiting, "a delivery job in the middle of a send", interval=0.01)
        private_redis.kill()
        down = time.monotonic()
        # The job goes on with Redis gone; it has to record its result into the void.
        time.sleep(0.5)
        receiver.gate.set()
        time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - down)))
        private_redis.start()
        up = time.monotonic()
        time.sleep(3)
        poster.stop()

        sent = poster.acknowledged()
        during = [a for a in poster.answers if down <= a.started < up]
        assert {a.status for a in poster.answers} <= {200, 202}, "every request acknowledged"
        assert {a.source for a in during} == {"inline", "batch"}, "intake on both during the outage"
        figures = settle(hub, receiver, sent)
        assert worker.poll() is None, "the worker rode out the outage"
        log = hub.log("worker")
        assert "starting a new one" in log  # RQ's loop quit under the running job
        report(f"redis outage {REDIS_OUTAGE_SECONDS} s [{backend}]",
               {"requests": len(poster.answers), "during_outage": len(during), **figures,
                "worker_restarts_by_hand": 0, "all_settled_after_restart_s": round(time.monotonic() - up, 1)})
    finally:
        hub.stop()


def test_postgres_outage_answers_503_then_recovers(tmp_path, private_redis, receiver, pg_cluster):
    hub = Hookhub(tmp_path, pg_cluster.create_database("hookhub"), private_redis.url, SETTINGS)
    try:
        poster, worker = steady_intake(hub, receiver)

        pg_cluster.stop("fast")
        down = time.monotonic()
        health = http("GET", f"{hub.base}/healthz")
        assert health.status == 503 and health.json()["database"].startswith("error: ")
        time.sleep(PG_OUTAGE_SECONDS)
        pg_cluster.start()
        up = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 3)
        poster.stop()

        answers = poster.answers
        assert {a.status for a in answers} <= {200, 202, 503}
        refused = [a for a in answers if a.status == 503]
        assert {a.source for a in refused} == {"inline", "batch"}, "the outage was seen by both"
        for a in refused:
            assert_database_unavailable(a.status, a.headers, a.body)
        assert all(down - 1 <= a.started < up + RECOVERY_SECONDS for a in refused)
        served_again = [a for a in answers if a.started >= up and a.status != 503]
        assert served_again, "full service after the outage"
        assert http("GET", f"{hub.base}/healthz").status == 200
        # Stored webhooks are exactly the acknowledged ones: a 2xx of the outage was stored.
        figures = settle(hub, receiver, poster.acknowledged())
        assert worker.poll() is None
        log = hub.log("worker")
        assert log.count("database unavailable") == 1 and log.count("database is back") == 1
        acknowledged_in_outage = [a for a in answers
                                  if down <= a.started < up and a.status in (200, 202)]
        report(f"postgres outage {PG_OUTAGE_SECONDS} s",
               {"requests": len(answers), "answered_503": len(refused),
                "acknowledged_during_outage": len(acknowledged_in_outage),
                "first_2xx_after_restart_s": round(min(a.started for a in served_again) - up, 2),
                "last_503_after_restart_s": round(max(a.started for a in refused) - up, 2),
                **figures, "lost": 0, "duplicates": 0})
    finally:
        hub.stop()


def assert_database_unavailable(status: int, headers: dict, body: bytes) -> None:
    """The answer is the one JSON error of a database outage, with its Retry-After."""
    assert (status, headers["Content-Type"], headers["Retry-After"]) == (
        503, "application/json", "5")
    assert json.loads(body) == {
        "code": 503, "status": "Service Unavailable", "reason": "database_unavailable",
        "message": "The database is unavailable; try again shortly.", "errors": []}


def test_sqlite_locked_answers_503_and_stores_nothing(tmp_path, private_redis):
    """Another process holding SQLite's write lock (a shell, a backup) is an outage of the file."""
    url = fresh_database_url("sqlite", tmp_path, "outages")
    hub = Hookhub(tmp_path, url, private_redis.url)
    try:
        sources = hub.create_source("inline"), hub.create_source("batch", "--deferred")
        hub.serve(rq_workers=0)
        sent: dict[int, str] = {}
        lock = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        # Each write waits out SQLite's busy timeout (15 s), then gives up.
        for n, source in enumerate(sources):
            r = post_form(source["webhook_url"], lead(n))
            assert_database_unavailable(r.status, r.headers, r.body)
        assert hub.webhooks() == [], "a 503 stored nothing"
        lock.execute("ROLLBACK")
        lock.close()

        for n, (source, expected) in enumerate(zip(sources, (200, 202), strict=True), 2):
            r = post_form(source["webhook_url"], lead(n))
            assert r.status == expected, r.body
            sent[r.json()["id"]] = f"lead{n}@example.com"
        hub.worker()
        wait_for(lambda: count(hub, "processed") == 2, "both webhooks processed")
        assert_each_processed_once(hub, sent)
    finally:
        hub.stop()


def processing(hub: Hookhub) -> set[int]:
    """The ids of the webhooks claimed and not finished."""
    return {w["id"] for w in hub.webhooks(status="processing")}


def freeze_mid_batch(hub: Hookhub, worker: subprocess.Popen, stale: set[int]) -> set[int]:
    """Stop the worker when it holds claims it has not finished; return the webhooks claimed.

    Claims a killed worker left behind (stale) stay "processing" until their lease ends, so
    they do not count; the frozen worker cannot finish a claim while it is looked at.
    """
    def frozen_with_claims() -> set[int]:
        if not processing(hub) - stale:
            return set()
        os.killpg(worker.pid, signal.SIGSTOP)
        claimed = processing(hub) - stale
        if not claimed:
            os.killpg(worker.pid, signal.SIGCONT)  # the batch ended meanwhile: wait for the next
        return claimed

    return wait_for(frozen_with_claims, "the worker in the middle of a batch", timeout=120,
                    interval=0.01)


def test_workers_killed_at_random_lose_and_duplicate_nothing(backend, tmp_path, private_redis,
                                                             receiver):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "outages"), private_redis.url,
                  SETTINGS)
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    try:
        poster, worker = steady_intake(hub, receiver)
        in_flight = []
        interrupted: set[int] = set()
        for _ in range(3):
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
            time.sleep(rng.uniform(0.5, 2.0))  # a backlog builds up meanwhile
            worker = hub.worker()
            # Then the worker dies in a batch: with webhooks claimed and not finished.
            claimed = freeze_mid_batch(hub, worker, interrupted)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
            in_flight.append(len(claimed))
            interrupted |= claimed
            worker = hub.worker()
        poster.stop()
        figures = settle(hub, receiver, poster.acknowledged())
        report(f"worker SIGKILL x3 [{backend}] seed={seed}",
               {"claimed_unfinished_at_each_kill": in_flight, **figures, "lost": 0, "duplicate_records": 0})
    finally:
        hub.stop()


def test_a_worker_stops_on_sigterm_while_redis_is_down(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "outages"), private_redis.url)
    try:
        worker = hub.worker()
        conn = redis_lib.Redis(port=private_redis.port)
        wait_for(lambda: RqWorker.count(connection=conn), "the worker to register")
        private_redis.kill()
        wait_for(lambda: "Redis unavailable" in hub.log("worker")
                 or "could not connect to Redis" in hub.log("worker"), "the worker to notice")
        worker.terminate()
        assert worker.wait(STOP_SECONDS) == 0
    finally:
        hub.stop()
