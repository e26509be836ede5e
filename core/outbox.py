"""Jobs written in the caller's transaction and enqueued by the database's commit.

A job is a row of the caller's transaction; the outermost commit of that transaction hands
the rows it added to RQ (peewee's `Database.after_commit`, run after the COMMIT of the
outermost `db.atomic()`, at once for a write outside any transaction, dropped on rollback).
A row whose hand-over did not happen (Redis or the database down then, the process killed)
waits for the periodic relay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
import time
from functools import partial
from typing import Any

import peewee
from flask import Flask, current_app
from rq import Queue

from core.db import BaseModel, JSONField, db, insert_row, is_sqlite, utcnow
from core.outages import DATABASE, DATABASE_ERRORS, database_down
from core.queue import DEFAULT_QUEUE, REDIS_ERRORS, get_redis, mark_down, mark_up, seems_up

log = logging.getLogger(__name__)
_pending = threading.local()
# How long a unique job's key keeps the same job from being enqueued again. A job lost before it
# started (its worker killed between taking and starting it) holds its key this long, so this is
# the longest such work can wait for the sweeper's next request; a job still waiting after it may
# be enqueued once more, which unique jobs (drains, fan-outs) take in their stride.
UNIQUE_TTL = 30


class OutboxJob(BaseModel):
    """A job waiting to be handed to RQ."""

    func = peewee.CharField(max_length=200)
    args = JSONField(default=list)
    queue = peewee.CharField(max_length=100, default=DEFAULT_QUEUE)
    unique = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow, index=True)


class _Batch:
    """The jobs one transaction added, handed to RQ when it commits."""

    def __init__(self, transaction: Any):
        self.transaction = transaction
        self.ids: list[int] = []
        self.open = True

    def __call__(self) -> None:
        self.open = False
        _flush(self.ids)


def add(func: str, *args: Any, queue: str = DEFAULT_QUEUE, unique: bool = False) -> None:
    """Record a job in the current transaction, enqueued once it commits; unique jobs run once
    per pending window."""
    row = insert_row(OutboxJob(func=func, args=list(args), queue=queue, unique=unique))
    transaction = db.top_transaction()
    batch = getattr(_pending, "batch", None)
    if batch is not None and batch.open and batch.transaction is transaction:
        batch.ids.append(row.id)
        return
    batch = _pending.batch = _Batch(transaction)
    batch.ids.append(row.id)
    db.after_commit(batch)  # outside a transaction the write has committed: this runs at once


def unique_key(func: str, args: list) -> str:
    """The Redis key that marks a unique job as already enqueued."""
    digest = hashlib.sha1(json.dumps([func, args]).encode()).hexdigest()
    return f"hookhub:unique:{digest}"


def release(func: str, *args: Any) -> None:
    """Let a unique job be enqueued again; its job calls this as it starts."""
    get_redis().delete(unique_key(func, list(args)))


def kick(func: str) -> None:
    """Once the current transaction commits, have a no-argument job enqueued unless one waits.

    For work whose durable record is already in the database (events to fan out), so no outbox
    row is needed: the kick is sent by this process's kicker thread, never by the request, and
    when Redis is down the job's sweeper asks again later.
    """
    app = current_app._get_current_object()
    db.after_commit(partial(_KICKER.ask, app, func))


class _Kicker:
    """Sends the kicks of one process from a thread of its own, at most one round per rest;
    kicks asked for meanwhile are sent together, each job once."""

    REST_SECONDS = 0.05

    def __init__(self) -> None:
        self.wanted: set[tuple[Flask, str]] = set()
        self.sending = False
        self.ready = threading.Condition()
        self.pid: int | None = None

    def ask(self, app: Flask, func: str) -> None:
        with self.ready:
            if self.pid != os.getpid():  # a forked child needs a thread of its own
                self.pid, self.wanted, self.sending = os.getpid(), set(), False
                threading.Thread(target=self._run, name="hookhub-kicker", daemon=True).start()
            self.wanted.add((app, func))
            self.ready.notify_all()

    def sent(self, timeout: float) -> bool:
        """Wait until every kick asked for so far has been sent; False after timeout."""
        with self.ready:
            return self.ready.wait_for(lambda: not self.wanted and not self.sending, timeout)

    def _run(self) -> None:
        while True:
            with self.ready:
                self.ready.wait_for(lambda: self.wanted)
                wanted, self.wanted, self.sending = self.wanted, set(), True
            for app, func in wanted:
                with app.app_context():
                    _kick(func)
            with self.ready:
                self.sending = False
                self.ready.notify_all()
            time.sleep(self.REST_SECONDS)


_KICKER = _Kicker()


def kicks_sent(timeout: float = 30) -> bool:
    """Wait until this process has sent every kick asked for so far; False after timeout."""
    return _KICKER.sent(timeout)


def _kick(func: str) -> None:
    if not seems_up():
        return
    key = unique_key(func, [])
    try:
        conn = get_redis()
        if conn.set(key, 1, nx=True, ex=UNIQUE_TTL):
            try:
                Queue(DEFAULT_QUEUE, connection=conn).enqueue(func)
            except REDIS_ERRORS:
                conn.delete(key)
                raise
    except REDIS_ERRORS as exc:
        if mark_down(exc):
            log.warning("could not enqueue %s, Redis unavailable (the sweeper will ask again)",
                        func)
        return
    except Exception:
        log.exception("could not enqueue %s", func)
        return
    mark_up()


def _flush(ids: list[int]) -> None:
    """Enqueue the jobs of a transaction that has just committed.

    What caused them is committed already, so no failure here may undo the answer: when the
    database or Redis is down the rows wait for the periodic relay.
    """
    if not seems_up():
        return
    try:
        relay(OutboxJob.id.in_(ids))
    except DATABASE_ERRORS as exc:
        if not database_down(exc):
            raise
        DATABASE.failed(exc)


def relay(where: peewee.Expression | None = None, limit: int = 1000) -> int:
    """Hand waiting jobs to RQ in one pipeline and delete them; keep them if Redis is down."""
    query = OutboxJob.select().order_by(OutboxJob.id).limit(limit)
    if where is not None:
        query = query.where(where)
    if not is_sqlite():
        query = query.for_update("FOR UPDATE SKIP LOCKED")
    try:
        with db.atomic():
            rows = list(query)
            if not rows:
                return 0
            _enqueue(rows)
            OutboxJob.delete().where(OutboxJob.id.in_([r.id for r in rows])).execute()
    except REDIS_ERRORS as exc:
        if mark_down(exc):
            log.warning("outbox: Redis unavailable, %s job(s) kept for later", len(rows))
        return 0
    mark_up()
    return len(rows)


def relay_stale(age_seconds: float = 2.0) -> int:
    """Relay jobs whose hand-over at commit did not happen (periodic)."""
    cutoff = utcnow() - dt.timedelta(seconds=age_seconds)
    return relay(OutboxJob.created_at < cutoff)


def _enqueue(rows: list[OutboxJob]) -> None:
    conn = get_redis()
    wanted = []
    seen = set()
    for row in rows:
        key = (row.func, json.dumps(row.args), row.queue)
        if key in seen:
            continue
        seen.add(key)
        if row.unique and not conn.set(unique_key(row.func, row.args), 1, nx=True, ex=UNIQUE_TTL):
            continue
        wanted.append(row)
    by_queue: dict[str, list[OutboxJob]] = {}
    for row in wanted:
        by_queue.setdefault(row.queue, []).append(row)
    for name, queue_rows in by_queue.items():
        queue = Queue(name, connection=conn)
        with conn.pipeline() as pipe:
            queue.enqueue_many([Queue.prepare_data(r.func, args=tuple(r.args)) for r in queue_rows],
                               pipeline=pipe)
            pipe.execute()
