"""RQ workers with the app context, and the housekeeping thread beside them."""

from __future__ import annotations

import logging
import signal
import threading

import redis
from flask import Flask
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import StopRequested
from rq.executions import Execution
from rq.job import Job

from core import generation, maintenance, outbox
from core.outages import REDIS
from core.queue import DEFAULT_QUEUE, REDIS_ERRORS, get_redis, mark_up

log = logging.getLogger(__name__)
FIRST_RETRY_SECONDS = 0.5


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
    """Work the queues until stopped (or until empty with burst), riding out Redis outages."""
    with app.app_context():
        conn = get_redis()
        stop = maintenance.start(app) if housekeeping else None
        try:
            _work(conn, queues or [DEFAULT_QUEUE], burst, ForkingJobWorker if fork else JobWorker,
                  app.config["RECONNECT_MAX_SECONDS"])
        finally:
            if stop is not None:
                stop.set()


def _work(conn: redis.Redis, queues: list[str], burst: bool, worker_class: type[Worker],
          max_wait: float) -> None:
    """Run RQ's work loop again, as a new worker, each time Redis failed under it.

    RQ's loop survives an outage only while it waits for a job: one that meets a Redis error
    anywhere else (a running job's heartbeat, its result, the registries' cleanup) quits, and
    its teardown raises the same error. Its job is not lost with it: the webhooks a batch
    claimed and the deliveries a job leased go back to the workers when their lease ends.
    """
    stopped = threading.Event()
    while not stopped.is_set():
        worker = None
        try:
            worker = worker_class([Queue(q, connection=conn) for q in queues], connection=conn,
                                  exception_handlers=[release_unique])
            worker.max_connection_wait_time = max_wait
            worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
        except REDIS_ERRORS as exc:
            REDIS.failed(exc)
        except StopRequested:
            pass  # SIGTERM came during RQ's teardown, which lets its handler raise this
        finally:
            # Outside RQ's loop a stop request only has to end ours (RQ's handler needs Redis).
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stopped.set())
        if worker is not None:
            _retire(worker)
            if worker._shutdown_requested_date is not None:
                return
        if not _wait_for_redis(conn, max_wait, stopped):
            return
        if burst and not any(Queue(q, connection=conn).count for q in queues):
            return
        if worker is not None:
            log.warning("worker %s stopped on an error; starting a new one", worker.name)
        stopped.wait(FIRST_RETRY_SECONDS)  # an error that persists must not spin


def release_unique(job: Job, *exc_info: object) -> None:
    """Let a unique job that failed be asked for again at once (RQ exception handler).

    A unique job frees its key as it starts, but one that failed before (the database was
    down) would otherwise hold it for UNIQUE_TTL, and the sweepers' requests would be ignored.
    """
    try:
        outbox.release(job.func_name, *job.args)
    except REDIS_ERRORS:
        pass  # Redis is gone again: the key expires by itself


def _retire(worker: Worker) -> None:
    """Stop what a worker that quit on a Redis error left running (its teardown did not)."""
    if worker.pubsub_thread is not None:
        worker.pubsub_thread.stop()
    if worker.horse_pid:
        # A forked job finishes on its own (its result may not reach Redis); reap it.
        worker.wait_for_horse()


def _wait_for_redis(conn: redis.Redis, max_wait: float, stopped: threading.Event) -> bool:
    """Wait with backoff until Redis answers; False when a stop was requested first."""
    delay = FIRST_RETRY_SECONDS
    while not stopped.is_set():
        try:
            conn.ping()
        except REDIS_ERRORS as exc:
            REDIS.failed(exc)
            stopped.wait(delay)
            delay = min(delay * 2, max_wait)
            continue
        mark_up()
        return True
    return False
