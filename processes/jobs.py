"""RQ jobs: thin wrappers that take ids and call a service function."""

from __future__ import annotations

from core import outbox
from core.db import ensure_connection
from processes import runner


def drain() -> int:
    """Process every waiting webhook, in batches."""
    ensure_connection()
    outbox.release(runner.DRAIN_JOB)
    return runner.drain()
