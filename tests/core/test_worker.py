"""The worker starts every job as a unit of work: an edit committed elsewhere counts at once."""

from __future__ import annotations

from core.queue import get_queue, get_redis
from core.worker import JobWorker
from integrations.push import connections
from tests.conftest import as_another_process
from tests.integrations.push_fixtures import enabled_connection


def targets_seen_by_a_job() -> list[tuple[str, str]]:
    """Run a job that reads the subscribers, in this thread; the (name, URL) of what it saw."""
    job = get_queue().enqueue("integrations.push.subscribers.current")
    JobWorker([get_queue()], connection=get_redis()).work(burst=True, logging_level="WARNING")
    return sorted((t.name, t.url) for t in job.return_value().targets)


def test_every_job_sees_push_edits_committed_elsewhere(push_app, redis_conn):
    crm, _ = enabled_connection("https://crm.example.com/in", name="crm")
    assert targets_seen_by_a_job() == [("crm", "https://crm.example.com/in")]
    as_another_process(lambda: connections.set_enabled(crm, False, "paused"))
    assert targets_seen_by_a_job() == []
    as_another_process(lambda: enabled_connection("https://erp.example.com/in", name="erp"))
    assert targets_seen_by_a_job() == [("erp", "https://erp.example.com/in")]
    as_another_process(lambda: connections.update_connection(
        connections.set_enabled(crm, True), {"url": "https://crm.example.com/v2"}))
    assert targets_seen_by_a_job() == [("crm", "https://crm.example.com/v2"),
                                       ("erp", "https://erp.example.com/in")]
