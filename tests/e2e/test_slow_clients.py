"""Slow clients: a hundred bodies that stall or trickle delay nobody's webhook, and each gets a 408."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from core.config import DEFAULTS
from tests.conftest import BACKENDS, PG_ADMIN_URL
from tests.e2e.conftest import Hookhub, RedisServer, fresh_database_url, http
from tests.integrations.inbound.test_endpoint import FIELDS

pytestmark = pytest.mark.e2e
BODY_TIMEOUT = DEFAULTS["BODY_READ_TIMEOUT_SECONDS"]
APP_THREADS = 4
SLOW_CLIENTS = 100
WEB_WORKERS = 2  # as `serve` and the production command in README run gunicorn
PROMPT = 5.0  # a generous bound: a normal post under the load of slow clients is answered within
DECLARED = 1000


@pytest.fixture(params=BACKENDS)
def hookhub(request, tmp_path):
    """SQLite under `serve` (the embedded default), or PostgreSQL under README's gunicorn command."""
    settings = {"HOOKHUB_APP_THREADS": str(APP_THREADS)}
    redis_server = RedisServer(tmp_path / "redis") if request.param == "postgres" else None
    if redis_server:
        redis_server.start()
    hub = Hookhub(tmp_path, fresh_database_url(request.param, tmp_path, "slow"),
                  redis_server.url if redis_server else None, settings)
    try:
        hub.source = hub.create_source("landing")
        if redis_server:
            hub.production()
        else:
            hub.serve()
        yield hub
    finally:
        hub.stop()
        if redis_server:
            redis_server.stop()


def start_post(hub: Hookhub) -> socket.socket:
    """Send a webhook's headers and the first bytes of its body, and no more."""
    sock = socket.create_connection(("127.0.0.1", hub.port), timeout=BODY_TIMEOUT + 30)
    path = hub.source["webhook_url"].removeprefix(hub.base)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {DECLARED}\r\n\r\n".encode() + b'{"Name": "sl')
    return sock


def trickle(sock: socket.socket, stop: threading.Event) -> None:
    """Send one more byte every half second, as a slow-read attack does, until answered."""
    while not stop.wait(0.5):
        try:
            sock.send(b"o")
        except OSError:
            return


def answer(sock: socket.socket) -> tuple[int, dict]:
    """Read the server's answer to the end: the status and the JSON body."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def timed_post(hub: Hookhub) -> float:
    started = time.monotonic()
    r = http("POST", hub.source["webhook_url"], json.dumps(FIELDS).encode(),
             {"Content-Type": "application/json"})
    assert r.status == 200, r.body
    return time.monotonic() - started


def database_connections(hub: Hookhub) -> int:
    name = hub.env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg2.connect(PG_ADMIN_URL) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,))
        return cur.fetchone()[0]


def test_slow_clients_delay_no_webhook_and_get_408(hookhub):
    stalled = [start_post(hookhub) for _ in range(SLOW_CLIENTS - 1)]
    trickler, stop = start_post(hookhub), threading.Event()
    threading.Thread(target=trickle, args=(trickler, stop), daemon=True).start()
    held_since = time.monotonic()
    try:
        latencies = [timed_post(hookhub) for _ in range(10)]
        with ThreadPoolExecutor(16) as pool:
            latencies += list(pool.map(lambda _: timed_post(hookhub), range(48)))
        held = time.monotonic() - held_since
        print(f"\n{SLOW_CLIENTS} slow clients held; {len(latencies)} normal posts, seconds: "
              f"max {max(latencies):.3f}, mean {sum(latencies) / len(latencies):.3f}, first ten "
              + " ".join(f"{s:.3f}" for s in latencies[:10]))
        assert held < BODY_TIMEOUT, "the posts ran past the body deadline; the check proves nothing"
        assert max(latencies) < PROMPT
        if hookhub.env["DATABASE_URL"].startswith("postgresql"):
            connections = database_connections(hookhub)
            print(f"PostgreSQL connections of the web workers: {connections}")
            assert 0 < connections <= WEB_WORKERS * APP_THREADS

        refusal = {"code": 408, "status": "Request Timeout", "reason": "body_timeout",
                   "message": f"The request body did not arrive within {BODY_TIMEOUT} s.",
                   "errors": []}
        assert answer(trickler) == (408, refusal)
        assert [answer(sock) for sock in stalled] == [(408, refusal)] * len(stalled)
        print(f"every slow client answered 408 after {time.monotonic() - held_since:.1f} s")
    finally:
        stop.set()
        for sock in [*stalled, trickler]:
            sock.close()
