"""RQ workers with the app context, and the housekeeping thread beside them."""

from __future__ import annotations

import logging

from flask import Flask
from rq import Queue, SimpleWorker, Worker

from core import maintenance
from core.queue import DEFAULT_QUEUE, get_redis

log = logging.getLogger(__name__)


def run(app: Flask, queues: list[str] | None = None, burst: bool = False, fork: bool = False,
        housekeeping: bool = True) -> None:
    """Work the queues until stopped (or until empty with burst)."""
    with app.app_context():
        conn = get_redis()
        stop = maintenance.start(app) if housekeeping else None
        worker_class = Worker if fork else SimpleWorker
        worker = worker_class([Queue(q, connection=conn) for q in queues or [DEFAULT_QUEUE]],
                              connection=conn)
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
        finally:
            if stop is not None:
                stop.set()
