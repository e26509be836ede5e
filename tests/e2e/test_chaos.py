"""Crashes: a worker killed mid-batch and Redis lost during intake cost no webhook and no duplicate."""

from __future__ import annotations

import json
import os
import signal
from urllib.parse import urlencode

import pytest

from lookups.seed import stable_id
from tests.e2e.conftest import Hookhub, fresh_database_url, http, wait_for
from tests.integrations.inbound.test_endpoint import FIELDS

pytestmark = pytest.mark.e2e
CANADA = stable_id("country", "CA")
# Short leases and sweeps so a crashed batch is picked up again within seconds.
RECOVERY = {"HOOKHUB_CLAIM_LEASE_SECONDS": "2", "HOOKHUB_SWEEP_SECONDS": "1"}
BATCH = 50


@pytest.fixture
def hookhub(backend, tmp_path, private_redis):
    hub = Hookhub(tmp_path, fresh_database_url(backend, tmp_path, "chaos"), private_redis.url,
                  {**RECOVERY, "HOOKHUB_BATCH_SIZE": str(BATCH)})
    yield hub
    hub.stop()


def lead(n: int) -> dict:
    return {**FIELDS, "Email": f"lead{n}@example.com", "CountryId": CANADA}


def post_form(url: str, data: dict):
    return http("POST", url, urlencode(data).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})


def count(hub: Hookhub, status: str) -> int:
    return len(hub.webhooks(status=status))


def assert_each_processed_once(hub: Hookhub, sent: dict[int, str]) -> None:
    """Every webhook processed on its first committed attempt, with exactly one Lead of its own."""
    webhooks = {w["id"]: w for w in hub.webhooks()}
    assert sorted(webhooks) == sorted(sent)
    assert {(w["status"], w["attempts"], len(w["records"])) for w in webhooks.values()} == {
        ("processed", 1, 1)}
    records = hub.records("Lead")
    assert len(records) == len(sent)
    assert {r["webhook_id"]: r["data"]["Email"] for r in records} == sent
    assert {r["id"] for r in records} == {w["records"][0] for w in webhooks.values()}


def test_worker_killed_mid_batch(hookhub):
    total = 300
    source = hookhub.create_source("batch", "--deferred")
    hookhub.serve(rq_workers=0)
    sent = {}
    for n in range(total):
        r = post_form(source["webhook_url"], lead(n))
        assert r.status == 202, r.body
        sent[r.json()["id"]] = f"lead{n}@example.com"

    worker = hookhub.worker()

    def frozen_mid_batch() -> bool:
        """Freeze the worker; keep it frozen once it holds a claimed batch it has not written."""
        os.killpg(worker.pid, signal.SIGSTOP)
        if 0 < count(hookhub, "processed") and count(hookhub, "processing"):
            return True
        os.killpg(worker.pid, signal.SIGCONT)
        return False

    wait_for(frozen_mid_batch, "the worker frozen with a batch claimed", interval=0.01)
    processed, in_flight = count(hookhub, "processed"), count(hookhub, "processing")
    # A batch is written in one transaction: the claimed one is all unwritten.
    assert processed % BATCH == 0 and 0 < in_flight <= BATCH and processed + in_flight < total
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)

    hookhub.worker()
    wait_for(lambda: count(hookhub, "processed") == total, "a fresh worker to finish the batch")
    assert_each_processed_once(hookhub, sent)
    assert "sweeper released" in hookhub.log("worker")


def test_redis_lost_during_intake(hookhub, private_redis):
    inline, deferred = hookhub.create_source("inline"), hookhub.create_source("batch", "--deferred")
    hookhub.serve(rq_workers=1)
    sent: dict[int, str] = {}
    deferred_ids = []

    def send(n: int, source: dict, expected: int) -> dict:
        r = post_form(source["webhook_url"], lead(n))
        assert r.status == expected, r.body
        sent[r.json()["id"]] = f"lead{n}@example.com"
        return r.json()

    for n in range(5):
        send(n, inline, 200)
        deferred_ids.append(send(100 + n, deferred, 202)["id"])
    wait_for(lambda: count(hookhub, "processed") == 10, "the webhooks sent before the outage")

    private_redis.kill()
    health = http("GET", f"{hookhub.base}/healthz")
    assert (health.status, health.json()["redis"]) == (503, "error: ConnectionError")
    for n in range(5, 25):
        body = send(n, inline, 200)
        assert body["status"] == "processed" and len(body["records"]) == 1
        deferred_ids.append(send(100 + n, deferred, 202)["id"])
    # Stored and acknowledged; the workers find the deferred ones in the database, Redis or not.
    wait_for(lambda: count(hookhub, "processed") == len(sent), "the deferred webhooks, Redis down")

    private_redis.start()
    for n in range(25, 30):
        deferred_ids.append(send(100 + n, deferred, 202)["id"])
    wait_for(lambda: count(hookhub, "processed") == len(sent), "every deferred webhook")
    assert_each_processed_once(hookhub, sent)
    assert json.loads(http("GET", f"{hookhub.base}/healthz").body)["status"] == "ok"
