"""RQ jobs: thin wrappers that take ids and call a service function."""

from __future__ import annotations

from core import outbox
from core.db import ensure_connection
from processes import records, runner


def drain() -> int:
    """Process every waiting webhook, in batches (released first, so arrivals meanwhile re-enqueue)."""
    outbox.release(runner.DRAIN_JOB)
    ensure_connection()
    return runner.drain()


def index_keys(entity: str | None, fields: list[str]) -> int:
    """Index existing records on key fields a new process version upserts on."""
    ensure_connection()
    return records.index_existing(entity, fields)
