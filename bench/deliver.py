"""Deliveries per second to a local receiver, beside RQ's own rate for no-op jobs.

Starts `python app.py worker` processes on a fresh SQLite database, then for one and for two
workers measures, with the same workers in the same run:
  - RQ's rate: N no-op jobs enqueued at once, until all have finished;
  - hookhub's rate: N events committed at once for one enabled push connection to a receiver
    on 127.0.0.1 (keep-alive, answers 200 at once), until every delivery has succeeded;
  - the plain rate: as many processes as workers, each posting its share of N bodies of the
    size hookhub's deliveries had to the same receiver on one keep-alive connection.

    python bench/deliver.py [--events 2000] [--jobs 1000] [--redis-url redis://host/DB]

Without --redis-url (or REDIS_URL) it runs on an embedded Redis in a temporary folder; a given
Redis database should be a spare one, as the run leaves its jobs' keys there.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

NOOP = "bench.deliver.noop"


def noop() -> None:
    """The job RQ's rate is measured with."""


def post_plainly(port: int, size: int, posts: int, ready) -> None:
    """Post `posts` JSON bodies of `size` bytes on one keep-alive connection, once all are ready."""
    import http.client

    body = b'{"x":"' + b"a" * max(0, size - 8) + b'"}'
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.connect()
    ready.wait()
    for _ in range(posts):
        conn.request("POST", "/hook", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
    conn.close()


def plain_rate(port: int, size: int, processes: int, total: int) -> float:
    """Pooled POSTs per second from `processes` processes sharing `total` posts."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Barrier(processes + 1)
    posts = total // processes
    procs = [spawn.Process(target=post_plainly, args=(port, size, posts, ready))
             for _ in range(processes)]
    for proc in procs:
        proc.start()
    ready.wait()
    start = time.perf_counter()
    for proc in procs:
        proc.join(300)
        if proc.exitcode != 0:
            raise SystemExit(f"a plain poster failed (exit code {proc.exitcode})")
    return posts * processes / (time.perf_counter() - start)


def wait_until(predicate, limit: float) -> float:
    """Poll until predicate() holds; return the seconds it took (raise after `limit`)."""
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > limit:
            raise TimeoutError(f"not done within {limit:g} s")
        time.sleep(0.01)
    return time.perf_counter() - start


class Bench:
    def __init__(self, redis_url: str | None, tmp: str):
        from app import create_app, init_database
        from core.queue import redis_url_for_children

        self.tmp = tmp
        self.db_url = f"sqlite:///{tmp}/hookhub.db"
        config = {"DATABASE_URL": self.db_url, "DATA_DIR": tmp, "EGRESS_ALLOW": ["127.0.0.1/32"]}
        if redis_url:
            config["REDIS_URL"] = redis_url
        self.app = create_app(config)
        self.ctx = self.app.app_context()
        self.ctx.push()
        init_database()
        self.redis_url = redis_url_for_children(self.app)
        self.workers: list[subprocess.Popen] = []

    def start_worker(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.db_url, "REDIS_URL": self.redis_url,
               "HOOKHUB_DATA_DIR": self.tmp, "HOOKHUB_EGRESS_ALLOW": json.dumps(["127.0.0.1/32"])}
        self.workers.append(subprocess.Popen([sys.executable, "app.py", "worker"], cwd=ROOT,
                                             env=env, start_new_session=True))
        from rq import Worker

        from core.queue import get_queue, get_redis

        queue = get_queue()
        wait_until(lambda: Worker.count(connection=get_redis(), queue=queue) == len(self.workers),
                   60)

    def noop_rate(self, jobs: int) -> float:
        from rq import Queue

        from core.queue import get_queue, get_redis

        queue, conn = get_queue(), get_redis()
        before = queue.finished_job_registry.count
        with conn.pipeline() as pipe:
            queue.enqueue_many([Queue.prepare_data(NOOP, result_ttl=600) for _ in range(jobs)],
                               pipeline=pipe)
            pipe.execute()
        took = wait_until(lambda: queue.finished_job_registry.count - before >= jobs, 300)
        return jobs / took

    def delivery_rate(self, events: int) -> float:
        from core.db import db
        from integrations.push.delivery import Delivery, DeliveryStatus
        from integrations.push.events import emit

        def done() -> int:
            return Delivery.select().where(Delivery.status == DeliveryStatus.SUCCEEDED.value).count()

        before = done()
        with db.atomic():
            for i in range(events):
                emit("record.created", {"record": {"id": f"r{i}", "entity": "Lead",
                                                   "data": {"Email": f"u{i}@example.com"}}})
        took = wait_until(lambda: done() - before >= events, 300)
        return events / took

    def connect(self, url: str) -> None:
        from integrations.push import connections

        conn, _ = connections.create_connection({
            "name": "bench", "url": url,
            "event_types": ["record.created"]})
        connections.set_enabled(conn, True)

    def close(self) -> None:
        import signal

        for proc in self.workers:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.ctx.pop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()
    rows = []
    tmp = tempfile.mkdtemp(prefix="hookhub-bench-")
    # Registered first, so it runs last: after the embedded Redis has shut down in it.
    atexit.register(shutil.rmtree, tmp, True)
    from bench.receiver import Receiver

    receiver = Receiver()
    bench = Bench(args.redis_url, tmp)
    try:
        bench.connect(receiver.url)
        for count in (1, 2):
            bench.start_worker()
            bench.delivery_rate(100)  # warm up: imports, pools, caches
            noop = bench.noop_rate(args.jobs)
            deliveries = bench.delivery_rate(args.events)
            plain = plain_rate(receiver.port, receiver.last_size, count, args.events)
            rows.append((count, noop, deliveries, plain))
    finally:
        bench.close()
    print(f"{args.events} events to 1 connection (receiver on 127.0.0.1), {args.jobs} no-op jobs; "
          f"SimpleWorker, SQLite; plain: as many processes as workers, each posting "
          f"{receiver.last_size}-byte bodies on one keep-alive connection")
    print(f"{'workers':>7} | {'RQ no-op jobs/s':>15} | {'deliveries/s':>12} | {'x RQ':>5} | "
          f"{'plain POSTs/s':>13} | {'x plain':>7}")
    print(f"{'-' * 7}-+-{'-' * 15}-+-{'-' * 12}-+-{'-' * 5}-+-{'-' * 13}-+-{'-' * 7}")
    for count, noop, deliveries, plain in rows:
        print(f"{count:>7} | {noop:>15.0f} | {deliveries:>12.0f} | {deliveries / noop:>5.2f} | "
              f"{plain:>13.0f} | {deliveries / plain:>7.2f}")

if __name__ == "__main__":
    main()
