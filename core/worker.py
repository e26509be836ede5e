"""RQ workers with the app context, and the housekeeping thread beside them."""

from __future__ import annotations

import logging

from flask import Flask
from rq import Queue, SimpleWorker, Worker
from rq.executions import Execution
from rq.job import Job

from core import generation, maintenance
from core.queue import DEFAULT_QUEUE, get_redis

log = logging.getLogger(__name__)


class UnitOfWork:
    """Start every job as a unit of work: caches check their change tokens again first."""

    def perform_job(self, job: Job, queue: Queue, execution: Execution) -> bool:
        # The work horse of a forking worker runs this too, so both kinds of worker forget.
        generation.forget()
        return super().perform_job(job, queue, execution)


class JobWorker(UnitOfWork, SimpleWorker):
    """rq's SimpleWorker, each job a unit of work."""


class ForkingJobWorker(UnitOfWork, Worker):
    """rq's forking Worker, each job a unit of work."""


def run(app: Flask, queues: list[str] | None = None, burst: bool = False, fork: bool = False,
        housekeeping: bool = True) -> None:
    """Work the queues until stopped (or until empty with burst)."""
    with app.app_context():
        conn = get_redis()
        stop = maintenance.start(app) if housekeeping else None
        worker_class = ForkingJobWorker if fork else JobWorker
        worker = worker_class([Queue(q, connection=conn) for q in queues or [DEFAULT_QUEUE]],
                              connection=conn)
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
        finally:
            if stop is not None:
                stop.set()
