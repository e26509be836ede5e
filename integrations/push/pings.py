"""Connectivity tests: a ping queued for a worker at once, its outcome read later by any web worker.

The web process makes no outbound call and never waits for a worker: starting a test enqueues an
RQ job whose id is the test's id, and the outcome is that job's result in Redis, kept for
PUSH_TEST_KEEP_SECONDS beside a small record of what was tested.
"""

from __future__ import annotations

import json
import re
import uuid
from enum import StrEnum
from typing import Any

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.results import Result

from core.db import utcnow
from core.errors import NotFound, ServiceUnavailable
from core.queue import REDIS_ERRORS, get_queue, get_redis, mark_down, seems_up

TEST_ID = re.compile(r"^ptest_[0-9a-f]{32}$")
RECORD_KEY = "hookhub:push-test:{}"


class PingKind(StrEnum):
    CONNECTION = "connection"
    DESTINATION = "destination"
    URL = "url"


class TestStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


JOBS = {PingKind.CONNECTION: "integrations.push.jobs.ping_connection",
        PingKind.DESTINATION: "integrations.push.jobs.ping_destination",
        PingKind.URL: "integrations.push.jobs.ping_url"}


def start_connection(connection_id: int) -> dict[str, Any]:
    """Queue a ping to a push connection (enabled or not); return the pending test."""
    return _start(PingKind.CONNECTION, connection_id, {"id": connection_id})


def start_destination(dest: Any) -> dict[str, Any]:
    """Queue a ping to a hub destination; return the pending test."""
    return _start(PingKind.DESTINATION, dest.id,
                  {"id": dest.id, "hub_id": dest.hub_id, "event_type": dest.event_type})


def start_url(url: str) -> dict[str, Any]:
    """Queue a ping to a bare URL (signed with a throwaway secret); return the pending test."""
    return _start(PingKind.URL, url, {"url": url})


def _start(kind: PingKind, arg: int | str, target: dict[str, Any]) -> dict[str, Any]:
    config = current_app.config
    test_id = f"ptest_{uuid.uuid4().hex}"
    keep = config["PUSH_TEST_KEEP_SECONDS"]
    wait = config["PUSH_TEST_WAIT_SECONDS"]
    record = {"target": {"kind": kind.value, **target},
              "created_at": utcnow().isoformat(timespec="milliseconds") + "Z", "wait": wait}
    if not seems_up():
        raise _unavailable()
    try:
        redis = get_redis()
        redis.set(RECORD_KEY.format(test_id), json.dumps(record), ex=keep)
        # Not taken within the wait, the job expires and the test reports that no worker answered.
        get_queue().enqueue(JOBS[kind], arg, job_id=test_id, ttl=wait, result_ttl=keep,
                            failure_ttl=keep)
    except REDIS_ERRORS as exc:
        mark_down()
        raise _unavailable() from exc
    return _shown(test_id, record, TestStatus.PENDING)


def outcome(test_id: str) -> dict[str, Any]:
    """The test as it stands: pending, done (code, latency, error) or failed (why)."""
    missing = NotFound(f"Connectivity test '{test_id[:50]}' does not exist or has expired.")
    if not TEST_ID.match(test_id):
        raise missing
    try:
        redis = get_redis()
        raw = redis.get(RECORD_KEY.format(test_id))
        if raw is None:
            raise missing
        try:
            job = Job.fetch(test_id, connection=redis)
        except NoSuchJobError:
            job = None
        result = job.latest_result() if job is not None else None
    except REDIS_ERRORS as exc:
        mark_down()
        raise ServiceUnavailable("Redis is unavailable; try again shortly.",
                                 reason="queue_unavailable") from exc
    record = json.loads(raw)
    if job is None:
        return _shown(test_id, record, TestStatus.FAILED, reason="no_worker",
                      error=f"No worker answered within {record['wait']} s; is "
                            "`python app.py worker` running?")
    if result is None:
        return _shown(test_id, record, TestStatus.PENDING)
    if result.type != Result.Type.SUCCESSFUL:
        lines = (result.exc_string or "").strip().splitlines() or ["no detail"]
        return _shown(test_id, record, TestStatus.FAILED, reason="test_failed",
                      error=f"The test job failed: {lines[-1]}")
    return {**_shown(test_id, record, TestStatus.DONE), **result.return_value}


def outcome_for(test_id: str | None, target: dict[str, Any]) -> dict[str, Any] | None:
    """For a page: the outcome of a test of this target, or None (no such test, or another's)."""
    if not test_id:
        return None
    try:
        test = outcome(test_id)
    except (NotFound, ServiceUnavailable):
        return None
    return test if all(test["target"].get(k) == v for k, v in target.items()) else None


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable("Redis is unavailable; the test was not sent.",
                              reason="queue_unavailable")


def _shown(test_id: str, record: dict[str, Any], status: TestStatus, reason: str | None = None,
           error: str | None = None) -> dict[str, Any]:
    return {"id": test_id, "status": status.value, "target": record["target"],
            "created_at": record["created_at"], "code": None, "latency_ms": None, "error": error,
            "reason": reason}
