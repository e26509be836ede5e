"""Benchmark webhook intake under gunicorn (2 workers) with wrk, beside a bare Flask endpoint.

For the embedded default (SQLite + embedded Redis) and for PostgreSQL + Redis, wrk posts a
realistic landing-page form to a bare Flask endpoint that parses the body and answers 202, to an
inline source (the answer comes after the record is committed) and to a deferred source (202;
a worker creates the record, and the time until it exists is measured from the stored rows).
All three run under the same gunicorn in the same run, so the ratio to bare is what counts.

    .venv/bin/python -m bench.ingest [--rounds 5] [--turn 2] [--connections 4] [--only embedded]

Needs wrk (apt-get install wrk), redis-server for the PostgreSQL setup (or --redis-url),
and PostgreSQL at --pg-url, whose database is emptied.
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
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

import peewee
from flask import Flask, jsonify, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from app import all_models, create_app, init_database
from core import db, migrate
from core.queue import redis_url_for_children
from integrations.inbound.models import Source, Webhook, WebhookStatus
from integrations.inbound.sources import create_source
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


def bare_app() -> Flask:
    """The baseline: parse the same form body and answer 202, nothing stored."""
    bare = Flask("bare")

    @bare.post("/webhooks/<api_key>")
    def receive(api_key: str):
        return jsonify({"id": 0, "status": "received", "fields": len(request.form)}), 202

    return bare


def wsgi() -> Flask:
    """hookhub with the bare endpoint mounted under /bare (gunicorn 'bench.ingest:wsgi()')."""
    app = create_app()
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/bare": bare_app()})
    return app


ENDPOINTS = {"bare": "bare Flask, 202", "inline": "inline, 200 after commit",
             "deferred": "deferred, 202"}


@dataclass
class Result:
    setup: str
    endpoint: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float = 1.0
    lag: str = ""


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
    """Create the database if needed, then drop every hookhub table in it."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = peewee.PostgresqlDatabase("postgres", host=parsed.hostname, port=parsed.port or 5432,
                                      user=parsed.username, password=parsed.password)
    with admin.connection_context():
        admin.connection().autocommit = True
        if not admin.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute_sql(f'CREATE DATABASE "{name}"')
    database = db.database_from_url(url)
    with database.bind_ctx(all_models()):
        database.drop_tables(all_models(), safe=True, cascade=True)
    database.execute_sql(f'DROP TABLE IF EXISTS "{migrate.HISTORY}"')
    database.close()


def prepare(workdir: Path, database_url: str | None, redis_url: str | None) -> tuple[dict, dict]:
    """Create the schema and two sources; return the children's environment and the API keys."""
    settings = {"DATA_DIR": str(workdir)}
    if database_url:
        settings["DATABASE_URL"] = database_url
    if redis_url:
        settings["REDIS_URL"] = redis_url
    app = create_app(settings)
    with app.app_context():
        init_database()
        keys = {"inline": create_source("bench-inline")[1],
                "deferred": create_source("bench-deferred", deferred=True)[1]}
        db.db.close()
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
           "REDIS_URL": redis_url_for_children(app), "HOOKHUB_DATA_DIR": str(workdir)}
    return env, keys


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


def statuses(source_name: str) -> dict[str, int]:
    query = (Webhook.select(Webhook.status, peewee.fn.COUNT(Webhook.id).alias("n"))
             .join(Source).where(Source.name == source_name).group_by(Webhook.status))
    return {row.status: row.n for row in query}


def record_lag(source_name: str) -> list[float]:
    """Seconds from receipt to record for each webhook of a source, sorted."""
    rows = (Webhook.select(Webhook.received_at, Record.created_at.alias("created"))
            .join(Record, on=(Record.webhook == Webhook.id)).switch(Webhook).join(Source)
            .where(Source.name == source_name).objects())
    return sorted((r.created - r.received_at).total_seconds() for r in rows)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


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


def summarize(setup: str, name: str, slices: list[dict], bare_rps: float | None) -> Result:
    requests = sum(s["requests"] for s in slices)
    rps = requests / sum(s["seconds"] for s in slices)
    return Result(setup, ENDPOINTS[name], requests, rps, merged_percentile(slices, 50),
                  merged_percentile(slices, 99), rps / (bare_rps or rps))


def drain_and_check(args: argparse.Namespace) -> None:
    """Wait until every webhook (wrk's last ones land after it stops) is processed, twice in a row."""
    seen: list[dict] = []

    def settled() -> bool:
        seen.append({name: statuses(name) for name in ("bench-inline", "bench-deferred")})
        done = all(set(counts) <= {WebhookStatus.PROCESSED.value} for counts in seen[-1].values())
        return done and len(seen) > 1 and seen[-1] == seen[-2]

    wait_for(settled, "every webhook to be processed", args.drain_timeout, interval=0.2)


def bench_setup(label: str, workdir: Path, database_url: str | None, redis_url: str | None,
                args: argparse.Namespace) -> list[Result]:
    """Serve one setup with gunicorn and a worker; load bare, inline and deferred in turns."""
    env, keys = prepare(workdir, database_url, redis_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    urls = {"bare": f"{base}/bare/webhooks/{keys['inline']}",
            "inline": f"{base}/webhooks/{keys['inline']}",
            "deferred": f"{base}/webhooks/{keys['deferred']}"}
    slices: dict[str, list[dict]] = {name: [] for name in ENDPOINTS}
    reader = create_app({"DATABASE_URL": env["DATABASE_URL"], "DATA_DIR": str(workdir)})
    children = [start(workdir, "gunicorn", [sys.executable, "-m", "gunicorn", "-w", "2", "-b",
                                            f"127.0.0.1:{port}", "bench.ingest:wsgi()"], env),
                start(workdir, "worker", [sys.executable, "app.py", "worker"], env)]
    try:
        wait_for(lambda: reachable(f"{base}/healthz"), "gunicorn")
        with reader.app_context():
            db.ensure_connection()
            for name in ENDPOINTS:
                run_wrk(urls[name], workdir, args, 1)
            # Short turns, one endpoint after the other, so that a change in the machine's load
            # (it is shared) weighs on every endpoint alike.
            for _ in range(args.rounds):
                for name in ENDPOINTS:
                    slices[name].append(run_wrk(urls[name], workdir, args, args.turn))
                drain_and_check(args)
            lags = record_lag("bench-deferred")
            db.db.close()
    finally:
        for child in children:
            stop_process(child)
    bare = summarize(label, "bare", slices["bare"], None)
    results = [bare] + [summarize(label, name, slices[name], bare.rps) for name in ("inline", "deferred")]
    results[2].lag = (f"record after p50 {percentile(lags, 50) * 1000:.0f} ms, "
                      f"p99 {percentile(lags, 99) * 1000:.0f} ms")
    return results


def print_table(results: list[Result]) -> None:
    head = (f"{'setup':<26} {'endpoint':<25} {'requests':>8} {'req/s':>7} {'p50 ms':>7} "
            f"{'p99 ms':>7} {'x bare':>6}  deferred: time until the record exists")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r.setup:<26} {r.endpoint:<25} {r.requests:>8} {r.rps:>7.0f} {r.p50_ms:>7.1f} "
              f"{r.p99_ms:>7.1f} {r.ratio:>6.2f}  {r.lag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="turns per endpoint")
    parser.add_argument("--turn", type=int, default=2, help="seconds per turn")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests per turn at most")
    parser.add_argument("--drain-timeout", type=float, default=120,
                        help="seconds to wait for the worker after each round")
    parser.add_argument("--only", choices=["embedded", "postgres"], help="run one setup")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/hookhub_bench",
                        help="PostgreSQL database to use; its hookhub tables are dropped")
    parser.add_argument("--redis-url", help="Redis for the PostgreSQL setup (default: a private one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    results = []
    tmp = tempfile.mkdtemp(prefix="hookhub-bench-")
    # Registered first, so it runs after the embedded Redis's own exit handler has stopped it.
    atexit.register(shutil.rmtree, tmp, True)
    if args.only in (None, "embedded"):
        workdir = Path(tmp, "embedded")
        workdir.mkdir()
        results += bench_setup("SQLite + embedded Redis", workdir, None, None, args)
    if args.only in (None, "postgres"):
        workdir = Path(tmp, "postgres")
        workdir.mkdir()
        redis_server = RedisServer(workdir / "redis")
        if not args.redis_url:
            redis_server.start()
        try:
            empty_postgres(args.pg_url)
            results += bench_setup("PostgreSQL + Redis", workdir, args.pg_url,
                                   args.redis_url or redis_server.url, args)
        finally:
            redis_server.stop()
    print_table(results)


if __name__ == "__main__":
    main()
