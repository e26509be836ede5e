"""Deliveries per second to a local receiver, beside RQ's own rate for no-op jobs.

Starts `python app.py worker` processes on a fresh SQLite database, then for one and for two
workers measures, with the same workers in the same run:
  - RQ's rate: N no-op jobs enqueued at once, until all have finished;
  - hookhub's rate: N events committed at once for one enabled push connection to a receiver
    on 127.0.0.1 (keep-alive, answers 200 at once), until every delivery has succeeded.

    python bench/deliver.py [--events 2000] [--jobs 1000] [--redis-url redis://host/DB]

Without --redis-url (or REDIS_URL) it runs on an embedded Redis in a temporary folder; a given
Redis database should be a spare one, as the run leaves its jobs' keys there.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

NOOP = "bench.deliver.noop"
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


def noop() -> None:
    """The job RQ's rate is measured with."""


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            await reader.readexactly(length)
            writer.write(REPLY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


def start_receiver() -> int:
    """An HTTP/1.1 keep-alive receiver on 127.0.0.1 in a thread; return its port."""
    ready: list[int] = []
    started = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(_serve, "127.0.0.1", 0))
        ready.append(server.sockets[0].getsockname()[1])
        started.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    started.wait(10)
    return ready[0]


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

    def connect(self, port: int) -> None:
        from integrations.push import connections

        conn, _ = connections.create_connection({
            "name": "bench", "url": f"http://127.0.0.1:{port}/hook",
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
    bench = Bench(args.redis_url, tmp)
    try:
        bench.connect(start_receiver())
        for count in (1, 2):
            bench.start_worker()
            bench.delivery_rate(100)  # warm up: imports, pools, caches
            noop = bench.noop_rate(args.jobs)
            deliveries = bench.delivery_rate(args.events)
            rows.append((count, noop, deliveries))
    finally:
        bench.close()
    print(f"{args.events} events to 1 connection (receiver on 127.0.0.1), {args.jobs} no-op jobs; "
          "SimpleWorker, SQLite")
    print(f"{'workers':>7} | {'RQ no-op jobs/s':>15} | {'deliveries/s':>12} | {'ratio':>5}")
    print(f"{'-' * 7}-+-{'-' * 15}-+-{'-' * 12}-+-{'-' * 5}")
    for count, noop, deliveries in rows:
        print(f"{count:>7} | {noop:>15.0f} | {deliveries:>12.0f} | {deliveries / noop:>5.2f}")


if __name__ == "__main__":
    main()
