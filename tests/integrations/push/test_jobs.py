"""Push jobs run by real `python app.py worker` processes: connectivity tests, and a SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from werkzeug import Response

from app import create_app, init_database
from core.auth import Role, create_token
from core.db import db
from integrations.hubs import service as hubs
from integrations.push.events import Event, emit
from tests.conftest import REDIS_URL
from tests.integrations.push_fixtures import enabled_connection

pytestmark = pytest.mark.e2e
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SETTINGS = {"EGRESS_ALLOW": ["127.0.0.1/32"], "PUSH_CONNECT_TIMEOUT": 1, "PUSH_READ_TIMEOUT": 2,
            "PUSH_SEND_BUDGET_SECONDS": 1, "PUSH_SWEEP_SECONDS": 0.5,
            "PUSH_RECOVER_GRACE_SECONDS": 1, "PUSH_RETRY_SCHEDULE": [0, 0.5, 0.5, 0.5, 0.5],
            "PUSH_TEST_WAIT_SECONDS": 20}


class Live:
    """A committed SQLite database, the app on it, and worker processes started on demand."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.url = f"sqlite:///{tmp_path}/hookhub.db"
        self.app = create_app({"DATABASE_URL": self.url, "REDIS_URL": REDIS_URL,
                               "DATA_DIR": str(tmp_path), **SETTINGS})
        self.workers: list[subprocess.Popen] = []

    def start_worker(self) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": self.url, "REDIS_URL": REDIS_URL,
               "HOOKHUB_DATA_DIR": str(self.tmp)}
        env.update({f"HOOKHUB_{k}": json.dumps(v) for k, v in SETTINGS.items()})
        log = open(self.tmp / f"worker{len(self.workers)}.log", "wb")  # noqa: SIM115
        # A session of its own: a kill reaches the worker and its scheduler process alike.
        proc = subprocess.Popen([sys.executable, "app.py", "worker"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self) -> None:
        for proc in self.workers:
            self.kill(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.kill(proc, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def live(tmp_path, redis_conn):
    env = Live(tmp_path)
    with env.app.app_context():
        init_database()
        yield env
        env.stop()
        db.close()


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_sigkill_mid_delivery_loses_nothing(live, receiver):
    """200 events, the worker killed by SIGKILL part way: all arrive, repeats keep their id."""
    server = receiver()
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(request):
        time.sleep(0.02)
        with lock:
            seen.append((request.headers["webhook-id"], request.get_json()["id"]))
        return Response("ok")

    server.expect_request("/hook").respond_with_handler(record)
    enabled_connection(server.url_for("/hook"))
    first = live.start_worker()
    with db.atomic():
        for i in range(200):
            emit("record.created", {"record": {"id": f"r{i}", "entity": "Lead", "data": {}}})
    expected = {e.id for e in Event.select(Event.id)}
    assert len(expected) == 200

    assert wait_for(lambda: len(seen) >= 40, 30), "the first worker delivered nothing"
    live.kill(first, signal.SIGKILL)
    first.wait(timeout=10)
    delivered_before_kill = len({wid for wid, _ in seen})
    assert delivered_before_kill < 200, "the worker finished before it could be killed"

    live.start_worker()
    assert wait_for(lambda: {wid for wid, _ in seen} >= expected, 60), (
        f"{len({wid for wid, _ in seen})} of 200 events arrived")
    with lock:
        pairs = list(seen)
    assert {wid for wid, _ in pairs} == expected
    assert all(wid == body_id for wid, body_id in pairs)


def test_connectivity_tests_run_on_a_worker(live, receiver):
    server = receiver()
    server.expect_request("/ping").respond_with_data("pong")
    conn, secret = enabled_connection(server.url_for("/ping"), name="crm")
    from integrations.push import connections

    connections.set_enabled(conn, False, "paused")
    hub, _ = hubs.create_hub("hub_one")
    hubs.set_destination(hub, "record.created", server.url_for("/ping"), username="u",
                         password="p")
    admin = {"Authorization": f"Bearer {create_token('t', Role.ADMIN)[1]}"}
    live.start_worker()
    client = live.app.test_client()

    def tested(path: str, **body) -> dict:
        """Start a test, then read its outcome once the worker has it."""
        started = client.post(f"/api/v1{path}", headers=admin, **body)
        assert started.status_code == 202, started.json
        outcome: dict = {}
        assert wait_for(lambda: outcome.update(client.get(
            started.headers["Location"], headers=admin).json) or outcome["status"] != "pending",
            20), "the worker did not send the ping"
        return outcome

    r = tested(f"/push-connections/{conn.id}/test")
    assert (r["status"], r["code"], r["error"]) == ("done", 200, None) and r["latency_ms"] >= 0
    assert sorted(r) == ["code", "created_at", "delivery_id", "error", "id", "latency_ms",
                         "reason", "status", "target"]
    request = server.log[-1][0]
    body = Verifier(secret).verify(request.get_data(as_text=True), dict(request.headers))
    assert (body["type"], body["data"]) == ("ping", {"message": "Connectivity test from hookhub."})
    log = client.get(f"/api/v1/push-connections/{conn.id}/deliveries", headers=admin).json
    assert [(i["event_type"], i["response"]["code"]) for i in log["items"]] == [("ping", 200)]

    r = tested(f"/hubs/{hub.id}/destinations/record.created/test")
    assert (r["status"], r["code"]) == ("done", 200)
    assert server.log[-1][0].headers["Authorization"] == "Basic dTpw"

    r = tested("/push-connections/test", json={"url": server.url_for("/ping")})
    assert (r["status"], r["code"], r["error"]) == ("done", 200, None)
    request = server.log[-1][0]
    Verifier(r["secret"]).verify(request.get_data(as_text=True), dict(request.headers))
    assert request.headers["webhook-id"] == r["webhook_id"]

    r = tested("/push-connections/test", json={"url": "http://10.0.0.1/"})
    assert (r["code"], r["error"]) == (
        0, "Refused: 10.0.0.1 resolves to 10.0.0.1, a private address.")
