"""Benchmark webhook intake under gunicorn (2 workers) with wrk, beside bare Flask endpoints.

For the embedded default (SQLite + embedded Redis) and for PostgreSQL + Redis, wrk posts a
realistic landing-page form, in short turns one after the other, to: a bare Flask endpoint that
parses the body and answers 202; a bare insert endpoint that commits the raw body into a table
of its own and answers 202 (the storage limit); an inline source (the answer comes after the
record is committed); the same inline source while one push connection, subscribed to
webhook.processed and record.created, delivers to a receiver on 127.0.0.1 (enabled for its
turns only); and a deferred source (202; a worker creates the record, and the time until it
exists is measured from the stored rows). Then a paced client posts to the deferred source at
half the rate measured for it, and the time until the record exists is reported for those
webhooks alone. All run under the same gunicorn in the same run, so the ratios are what count.

    .venv/bin/python -m bench.ingest [--rounds 5] [--turn 2] [--connections 4] [--lag-seconds 5]
                                     [--only embedded|postgres] [--pg-url URL] [--redis-url URL]
    .venv/bin/python -m bench.ingest --drain [N] [--only ...]
    .venv/bin/python -m bench.ingest --memory [N] [--memory-timeout 900] [--only ...]

--drain posts N deferred webhooks (default 5000) with no worker running, starts one worker and
times until all are processed; then the same with new webhooks and two workers. It fails when a
webhook was processed more than once or has not exactly one record. --memory posts N webhooks
(default 100000), half to the inline and half to the deferred source in alternate chunks, and
prints the RSS of each gunicorn worker and of the worker at 0, 1/4, 1/2, 3/4 and all of them.

Needs wrk (apt-get install wrk), redis-server for the PostgreSQL setup (or --redis-url),
and PostgreSQL at --pg-url, whose database is emptied.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlencode, urlparse

import peewee
import psutil
from flask import Flask, jsonify, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app import all_models, create_app, init_database
from bench import pacing
from bench.receiver import Receiver
from core import db, migrate
from core.queue import redis_url_for_children
from integrations.inbound.models import Source, Webhook, WebhookStatus
from integrations.inbound.sources import create_source
from integrations.push import connections
from integrations.push.delivery import Delivery, DeliveryStatus
from lookups.seed import stable_id
from processes.models import Record
from tests.e2e.conftest import RedisServer, free_port, stop_process, wait_for

ROOT = Path(__file__).resolve().parents[1]
FORM = {
    "EntityName": "Lead", "Contact": "Jane Doe", "Email": "jane.doe@example.com",
    "MobilePhone": "+1 617 221 5187", "Account": "Acme Inc.", "Website": "https://acme.example",
    "Budget": "12500.00", "Commentary": "Please call me back about pricing for 50 seats.",
    "CountryId": stable_id("country", "CA"), "LeadSourceId": stable_id("lead-source", "Web"),
    "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring_sale",
    "page_url": "https://acme.example/pricing", "consent": "on", "submission_id": "SUBMISSION",
}
WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local template = [==[%(body)s]==]
local run_tag, sent, seen = "%(run)s", 0, 0
-- Every post is a new submission (as from a real form), so content dedupe lets each one through.
function request()
  sent = sent + 1
  local body = string.gsub(template, "SUBMISSION", run_tag .. "-" .. sent)
  return wrk.format(nil, nil, nil, body)
end
function response(status, headers, body)
  seen = seen + 1
  if seen >= %(cap)d then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  local q = {}
  for i = 1, 199 do q[i] = latency:percentile(i / 2) / 1000 end
  q[200] = latency.max / 1000
  io.write(string.format('{"requests": %%d, "seconds": %%f, "socket_errors": %%d, ' ..
    '"http_errors": %%d, "quantiles_ms": [%%s]}\\n', summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.timeout, e.status, table.concat(q, ",")))
end
"""


class BareRow(peewee.Model):
    """A raw request body, as the bare insert endpoint stores it."""

    body = peewee.BlobField()

    class Meta:
        table_name = "bench_bare_insert"


def bare_app() -> Flask:
    """The baseline: parse the same form body and answer 202, nothing stored."""
    bare = Flask("bare")

    @bare.post("/webhooks/<api_key>")
    def receive(api_key: str):
        return jsonify({"id": 0, "status": "received", "fields": len(request.form)}), 202

    return bare


def bare_insert_app() -> Flask:
    """The storage limit: commit one INSERT of the raw body and answer 202.

    On hookhub's own database settings, with the connection kept open in each thread.
    """
    bare = Flask("bare-insert")
    database = db.database_from_url(os.environ["DATABASE_URL"])
    database.bind([BareRow])

    @bare.post("/webhooks/<api_key>")
    def receive(api_key: str):
        database.connect(reuse_if_open=True)
        with database.atomic():
            row = BareRow.create(body=request.get_data())
        return jsonify({"id": row.id, "status": "received"}), 202

    return bare


def wsgi() -> Flask:
    """hookhub with the bare endpoints mounted under /bare and /bare-insert (gunicorn
    'bench.ingest:wsgi()')."""
    app = create_app()
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/bare": bare_app(),
                                                       "/bare-insert": bare_insert_app()})
    return app


ENDPOINTS = {"bare": "bare Flask, 202", "bare-insert": "bare insert, 202",
             "inline": "inline, 200 after commit", "inline-push": "inline, 1 push connection",
             "deferred": "deferred, 202"}
PACED = "deferred, paced at half"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
INLINE, DEFERRED = "bench-inline", "bench-deferred"


@dataclass
class Result:
    setup: str
    endpoint: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float | None = 1.0
    note: str = ""


def start(workdir: Path, name: str, argv: list[str], env: dict) -> subprocess.Popen:
    """Start a child in its own process group, logging to NAME.log."""
    with open(workdir / f"{name}.log", "ab") as log:
        return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def empty_postgres(url: str) -> None:
    """Create the database if needed, then drop every hookhub table (and the bench's) in it."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = peewee.PostgresqlDatabase("postgres", host=parsed.hostname, port=parsed.port or 5432,
                                      user=parsed.username, password=parsed.password)
    with admin.connection_context():
        admin.connection().autocommit = True
        if not admin.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute_sql(f'CREATE DATABASE "{name}"')
    database = db.database_from_url(url)
    tables = [*all_models(), BareRow]
    with database.bind_ctx(tables):
        database.drop_tables(tables, safe=True, cascade=True)
    database.execute_sql(f'DROP TABLE IF EXISTS "{migrate.HISTORY}"')
    database.close()


def prepare(workdir: Path, database_url: str | None, redis_url: str | None,
            receiver_url: str) -> tuple[dict, dict, int]:
    """Create the schema, two sources, a disabled push connection to the receiver and the bare
    insert table; return the children's environment, the API keys and the connection's id."""
    settings = {"DATA_DIR": str(workdir)}
    if database_url:
        settings["DATABASE_URL"] = database_url
    if redis_url:
        settings["REDIS_URL"] = redis_url
    app = create_app(settings)
    with app.app_context():
        init_database()
        keys = {"inline": create_source(INLINE)[1],
                "deferred": create_source(DEFERRED, deferred=True)[1]}
        conn, _ = connections.create_connection({
            "name": "bench-receiver", "url": receiver_url,
            "event_types": ["webhook.processed", "record.created"]})
        with db.db.bind_ctx([BareRow]):
            db.db.create_tables([BareRow])
        db.db.close()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REDIS_URL": redis_url_for_children(app), "HOOKHUB_DATA_DIR": str(workdir),
           "HOOKHUB_EGRESS_ALLOW": json.dumps(["127.0.0.1/32"])}
    return env, keys, conn.id


class Served:
    """One setup's gunicorn and workers, with an app context on its database for reading it."""

    def __init__(self, label: str, workdir: Path, database_url: str | None,
                 redis_url: str | None, receiver: Receiver):
        self.label, self.workdir, self.receiver = label, workdir, receiver
        self.env, keys, self.connection_id = prepare(workdir, database_url, redis_url,
                                                     receiver.url)
        self.port = free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.base = base
        self.urls = {"bare": f"{base}/bare/webhooks/{keys['inline']}",
                     "bare-insert": f"{base}/bare-insert/webhooks/{keys['inline']}",
                     "inline": f"{base}/webhooks/{keys['inline']}",
                     "inline-push": f"{base}/webhooks/{keys['inline']}",
                     "deferred": f"{base}/webhooks/{keys['deferred']}"}
        self.reader = create_app({"DATABASE_URL": self.env["DATABASE_URL"],
                                  "DATA_DIR": str(workdir)})
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def __enter__(self) -> Served:
        self.web = start(self.workdir, "gunicorn", [
            sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}",
            "bench.ingest:wsgi()"], self.env)
        self.context = self.reader.app_context()
        self.context.push()
        try:
            wait_for(lambda: reachable(f"{self.base}/healthz"), "gunicorn")
            db.ensure_connection()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        db.db.close()
        self.context.pop()
        self.stop_workers()
        stop_process(self.web)

    def start_workers(self, count: int) -> None:
        self.workers += [start(self.workdir, "worker", [sys.executable, "app.py", "worker"],
                               self.env) for _ in range(count)]

    def stop_workers(self) -> None:
        for worker in self.workers:
            stop_process(worker)
        self.workers = []

    def push_enabled(self, enabled: bool) -> None:
        """Enable or disable the push connection, as an admin would (so every cache sees it)."""
        connections.set_enabled(connections.get_connection(self.connection_id), enabled,
                                None if enabled else "between turns")


def run_wrk(url: str, workdir: Path, args: argparse.Namespace, duration: int) -> dict:
    """Post the form at url with wrk for `duration` seconds (or --max-requests); its summary."""
    script = workdir / "form.lua"
    script.write_text(WRK_SCRIPT % {"body": urlencode(FORM), "cap": args.max_requests,
                                    "run": uuid.uuid4().hex})
    out = subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True,
                         timeout=duration + 60, check=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    if summary["socket_errors"] or summary["http_errors"]:
        raise SystemExit(f"wrk saw errors at {url}: {summary}")
    return summary


def submissions() -> Callable[[int], str]:
    """Form bodies that are each a new submission, so content dedupe lets every one through."""
    run = uuid.uuid4().hex
    return lambda i: urlencode({**FORM, "submission_id": f"{run}-{i}"})


def last_webhook_id() -> int:
    return Webhook.select(peewee.fn.MAX(Webhook.id)).scalar() or 0


def of_source(query: peewee.Select, source_name: str, after_id: int) -> peewee.Select:
    return query.join(Source).where(Source.name == source_name, Webhook.id > after_id)


def statuses(source_name: str, after_id: int = 0) -> dict[str, int]:
    query = Webhook.select(Webhook.status, peewee.fn.COUNT(Webhook.id).alias("n"))
    return {row.status: row.n for row in of_source(query, source_name, after_id)
            .group_by(Webhook.status)}


def record_lag(source_name: str, after_id: int = 0) -> list[float]:
    """Seconds from receipt to record for each webhook of a source (after an id), sorted."""
    rows = (Webhook.select(Webhook.received_at, Record.created_at.alias("created"))
            .join(Record, on=(Record.webhook == Webhook.id)).switch(Webhook).join(Source)
            .where(Source.name == source_name, Webhook.id > after_id).objects())
    return sorted((r.created - r.received_at).total_seconds() for r in rows)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def lag_note(lags: list[float]) -> str:
    return (f"record after p50 {percentile(lags, 50) * 1000:.0f} ms, "
            f"p99 {percentile(lags, 99) * 1000:.0f} ms")


def merged_percentile(slices: list[dict], q: float) -> float:
    """A latency percentile over several wrk runs, each weighted by its request count."""
    points = sorted((ms, s["requests"] / len(s["quantiles_ms"]))
                    for s in slices for ms in s["quantiles_ms"])
    wanted, seen = q / 100 * sum(weight for _, weight in points), 0.0
    for ms, weight in points:
        seen += weight
        if seen >= wanted:
            return ms
    return points[-1][0]


def summarize(setup: str, endpoint: str, slices: list[dict], bare_rps: float | None) -> Result:
    requests = sum(s["requests"] for s in slices)
    rps = requests / sum(s["seconds"] for s in slices)
    return Result(setup, endpoint, requests, rps, merged_percentile(slices, 50),
                  merged_percentile(slices, 99), rps / (bare_rps or rps))


def settle(timeout: float) -> None:
    """Wait until every webhook (wrk's last ones land after it stops) is processed, twice in a
    row, and no delivery is pending."""
    seen: list[dict] = []

    def settled() -> bool:
        seen.append({name: statuses(name) for name in (INLINE, DEFERRED)})
        done = all(set(counts) <= {WebhookStatus.PROCESSED.value} for counts in seen[-1].values())
        pending = Delivery.select().where(Delivery.status == DeliveryStatus.PENDING.value)
        return done and len(seen) > 1 and seen[-1] == seen[-2] and not pending.exists()

    wait_for(settled, "every webhook to be processed and delivered", timeout, interval=0.2)


def bench_setup(served: Served, args: argparse.Namespace) -> list[Result]:
    """Load every endpoint in turns, with one worker; then the deferred one at half its rate."""
    slices: dict[str, list[dict]] = {name: [] for name in ENDPOINTS}
    delivered_before = served.receiver.count
    served.start_workers(1)
    for name in ENDPOINTS:
        run_wrk(served.urls[name], served.workdir, args, 1)
    # Short turns, one endpoint after the other, so that a change in the machine's load
    # (it is shared) weighs on every endpoint alike.
    for _ in range(args.rounds):
        for name in ENDPOINTS:
            if name == "inline-push":
                served.push_enabled(True)
            slices[name].append(run_wrk(served.urls[name], served.workdir, args, args.turn))
            if name == "inline-push":
                served.push_enabled(False)
        settle(args.drain_timeout)
    delivered = served.receiver.count - delivered_before
    lags = record_lag(DEFERRED)
    label = served.label
    bare = summarize(label, ENDPOINTS["bare"], slices["bare"], None)
    results = {name: summarize(label, ENDPOINTS[name], slices[name], bare.rps)
               for name in ENDPOINTS if name != "bare"}
    inline, push = results["inline"], results["inline-push"]
    push.note = f"{push.rps / inline.rps:.2f} x inline (target 0.85); {delivered} delivered"
    results["deferred"].note = lag_note(lags)
    after = last_webhook_id()
    rate = results["deferred"].rps / 2
    paced = pacing.post(served.urls["deferred"], submissions(), FORM_HEADERS, args.connections,
                        seconds=args.lag_seconds, rate=rate)
    settle(args.drain_timeout)
    lagged = summarize(label, PACED, [paced], bare.rps)
    lagged.note = f"at {rate:.0f}/s: {lag_note(record_lag(DEFERRED, after))}"
    return [bare, *results.values(), lagged]


def drain_setup(served: Served, args: argparse.Namespace) -> list[Result]:
    """Post N deferred webhooks with no worker running, then time 1 and then 2 workers on them."""
    results, rates = [], {}
    done = {WebhookStatus.PROCESSED.value: args.drain}
    for count in (1, 2):
        after = last_webhook_id()
        posted = pacing.post(served.urls["deferred"], submissions(), FORM_HEADERS, args.connections,
                             count=args.drain)
        waiting = statuses(DEFERRED, after)
        if waiting != {WebhookStatus.RECEIVED.value: args.drain}:
            raise SystemExit(f"expected {args.drain} received webhooks, found {waiting}")
        began = time.perf_counter()
        served.start_workers(count)
        wait_for(partial(lambda since: statuses(DEFERRED, since) == done, after),
                 f"{count} worker(s) to process {args.drain} webhooks", args.drain_timeout,
                 interval=0.1)
        took = time.perf_counter() - began
        served.stop_workers()
        check_processed_once(after)
        first, last = (of_source(Webhook.select(peewee.fn.MIN(Webhook.processed_at),
                                                peewee.fn.MAX(Webhook.processed_at)),
                                 DEFERRED, after).tuples().get())
        span = (last - first).total_seconds()
        rates[count] = (args.drain - 1) / span
        result = summarize(served.label, f"post, drain by {count} worker{'s' * (count > 1)}",
                           [posted], None)
        result.ratio = None
        result.note = (f"{rates[count]:.0f} processed/s (first to last); {args.drain / took:.0f}/s "
                       f"from the worker's start ({took:.1f} s)")
        results.append(result)
    results[-1].note += f"; {rates[2] / rates[1]:.2f} x 1 worker (target 1.6)"
    return results


def check_processed_once(after: int) -> None:
    """Fail unless every webhook after the id was attempted once and has exactly one record."""
    retried = of_source(Webhook.select(Webhook.id, Webhook.attempts), DEFERRED, after).where(
        Webhook.attempts != 1)
    counts = (Webhook.select(Webhook.id, peewee.fn.COUNT(Record.id).alias("n"))
              .join(Record, peewee.JOIN.LEFT_OUTER, on=(Record.webhook == Webhook.id))
              .switch(Webhook).join(Source).where(Source.name == DEFERRED, Webhook.id > after)
              .group_by(Webhook.id).having(peewee.fn.COUNT(Record.id) != 1))
    wrong = {"attempts != 1": [(w.id, w.attempts) for w in retried[:10]],
             "records != 1": [(w.id, w.n) for w in counts[:10]]}
    if any(wrong.values()):
        raise SystemExit(f"webhooks processed other than once (first ten): {wrong}")


def rss_mb(process: psutil.Process) -> float:
    """The resident memory of a process and its children, in MB."""
    tree = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in tree) / 2**20


def memory_setup(served: Served, args: argparse.Namespace) -> list[list]:
    """Post N webhooks, half inline, half deferred in alternate chunks; RSS at every quarter."""
    served.start_workers(1)
    for name in ("inline", "deferred"):  # warm up: imports, connections, caches
        pacing.post(served.urls[name], submissions(), FORM_HEADERS, args.connections, count=20)
    quarter, chunk = args.memory // 4, max(1, args.memory // 40)
    began = time.monotonic()
    deadline = began + args.memory_timeout
    rows, posted = [], 0
    for mark in range(5):
        settle(args.memory_timeout)
        gunicorn = psutil.Process(served.web.pid).children()
        rows.append([served.label, posted, time.monotonic() - began,
                     *(rss_mb(p) for p in gunicorn),
                     rss_mb(psutil.Process(served.workers[0].pid))])
        if mark == 4 or time.monotonic() > deadline:
            break
        while posted < quarter * (mark + 1) and time.monotonic() < deadline:
            name = ("inline", "deferred")[posted // chunk % 2]
            posted += pacing.post(served.urls[name], submissions(), FORM_HEADERS,
                                  args.connections, count=chunk,
                                  seconds=deadline - time.monotonic())["requests"]
    return rows


def print_table(results: list[Result]) -> None:
    head = (f"{'setup':<26} {'endpoint':<25} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
            f"{'p99 ms':>7} {'x bare':>6}  notes (deferred: time until the record exists)")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r.setup:<26} {r.endpoint:<25} {r.requests:>8} {r.rps:>7.0f} {r.p50_ms:>7.1f} "
              f"{r.p99_ms:>7.1f} {'' if r.ratio is None else f'{r.ratio:.2f}':>6}  {r.note}")


def print_memory(rows: list[list]) -> None:
    head = (f"{'setup':<26} {'webhooks':>8} {'seconds':>7} {'gunicorn 1 MB':>13} "
            f"{'gunicorn 2 MB':>13} {'worker MB':>9}")
    print("RSS (each process with its children), half inline, half deferred")
    print(head)
    print("-" * len(head))
    for setup, posted, seconds, *sizes in rows:
        print(f"{setup:<26} {posted:>8} {seconds:>7.0f} " + " ".join(f"{mb:>13.1f}" for mb in sizes[:-1])
              + f" {sizes[-1]:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="turns per endpoint")
    parser.add_argument("--turn", type=int, default=2, help="seconds per turn")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests per turn at most")
    parser.add_argument("--lag-seconds", type=float, default=5,
                        help="seconds of paced deferred posts after the rounds")
    parser.add_argument("--drain", type=int, nargs="?", const=5000,
                        help="time 1 and 2 workers on N waiting deferred webhooks instead")
    parser.add_argument("--memory", type=int, nargs="?", const=100_000,
                        help="print RSS while N webhooks arrive instead")
    parser.add_argument("--memory-timeout", type=float, default=900,
                        help="seconds of posting at most in --memory")
    parser.add_argument("--drain-timeout", type=float, default=120,
                        help="seconds to wait for the workers each time")
    parser.add_argument("--only", choices=["embedded", "postgres"], help="run one setup")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/hookhub_bench",
                        help="PostgreSQL database to use; its hookhub tables are dropped")
    parser.add_argument("--redis-url", help="Redis for the PostgreSQL setup (default: a private one)")
    args = parser.parse_args()
    # Stopped (by timeout, say), still stop the children and the private Redis on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(f"stopped by signal {signal.SIGTERM}"))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    mode = memory_setup if args.memory else drain_setup if args.drain else bench_setup
    results = []
    tmp = tempfile.mkdtemp(prefix="hookhub-bench-")
    # Registered first, so it runs after the embedded Redis's own exit handler has stopped it.
    atexit.register(shutil.rmtree, tmp, True)
    receiver = Receiver()
    if args.only in (None, "embedded"):
        workdir = Path(tmp, "embedded")
        workdir.mkdir()
        with Served("SQLite + embedded Redis", workdir, None, None, receiver) as served:
            results += mode(served, args)
    if args.only in (None, "postgres"):
        workdir = Path(tmp, "postgres")
        workdir.mkdir()
        redis_server = RedisServer(workdir / "redis")
        if not args.redis_url:
            redis_server.start()
        try:
            empty_postgres(args.pg_url)
            with Served("PostgreSQL + Redis", workdir, args.pg_url,
                        args.redis_url or redis_server.url, receiver) as served:
                results += mode(served, args)
        finally:
            redis_server.stop()
    (print_memory if args.memory else print_table)(results)


if __name__ == "__main__":
    main()
