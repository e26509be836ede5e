"""Deliveries: the state of each (event, target) pair, the attempt log, the retry schedule."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from collections.abc import Callable, Container, Iterable
from enum import StrEnum
from typing import Any

import peewee
from flask import current_app
from rq import Queue

from core import egress, masking, outbox
from core.db import BaseModel, JSONField, Writes, db, get_or_404, is_sqlite, utcnow
from core.errors import Conflict
from core.queue import DEFAULT_QUEUE, REDIS_ERRORS, get_redis
from core.secretbox import seal
from integrations.hubs import service as hubs
from integrations.hubs.service import HubDestination
from integrations.push import connections, envelope, signing, subscribers
from integrations.push.connections import PushConnection
from integrations.push.credentials import Credentials
from integrations.push.events import Event, EventType, new_id
from integrations.push.sender import Result, Send, perform, prepare, send_all
from integrations.push.targets import Target, TargetKind

log = logging.getLogger(__name__)
RETRY_JOB = "integrations.push.jobs.retry"
RESEND_JOB = "integrations.push.jobs.resend_failed"
# RQ's scheduler keeps whole seconds and may start a job up to a second early.
SCHEDULER_SLACK = dt.timedelta(seconds=1)
PING_DATA = {"message": "Connectivity test from hookhub."}
_rng = random.SystemRandom()


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Delivery(BaseModel):
    """One event on its way to one target; pending until it succeeds or runs out of attempts."""

    event = peewee.ForeignKeyField(Event, backref="deliveries", on_delete="CASCADE")
    connection = peewee.ForeignKeyField(PushConnection, null=True, on_delete="CASCADE")
    destination = peewee.ForeignKeyField(HubDestination, null=True, on_delete="CASCADE")
    status = peewee.CharField(max_length=20, default=DeliveryStatus.PENDING.value)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(null=True)
    last_code = peewee.IntegerField(null=True)
    last_error = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False), (("connection", "status"), False))

    @property
    def target_key(self) -> tuple[str, int]:
        if self.connection_id is not None:
            return (TargetKind.CONNECTION.value, self.connection_id)
        return (TargetKind.DESTINATION.value, self.destination_id)


class DeliveryAttempt(BaseModel):
    """The delivery log: one row per attempt, secrets masked and file data left out."""

    delivery = peewee.ForeignKeyField(Delivery, backref="log", on_delete="CASCADE")
    connection = peewee.ForeignKeyField(PushConnection, null=True, on_delete="CASCADE")
    destination = peewee.ForeignKeyField(HubDestination, null=True, on_delete="CASCADE")
    event_id = peewee.CharField(max_length=40)
    event_type = peewee.CharField(max_length=100)
    attempt = peewee.IntegerField()
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    url = peewee.TextField()
    request_headers = JSONField()
    request_body = peewee.TextField()
    response_code = peewee.IntegerField()
    response_headers = JSONField(default=dict)
    response_body = peewee.TextField(default="")
    error = peewee.TextField(null=True)
    duration_ms = peewee.IntegerField()
    succeeded = peewee.BooleanField()

    class Meta:
        indexes = ((("connection", "created_at"), False), (("destination", "created_at"), False))


def target_columns(target: Target) -> dict[str, int | None]:
    """The connection/destination columns that point at a target."""
    is_conn = target.kind == TargetKind.CONNECTION
    return {"connection": target.id if is_conn else None,
            "destination": None if is_conn else target.id}


def target_where(model, key: tuple[str, int]) -> peewee.Expression:
    kind, target_id = key
    if kind == TargetKind.CONNECTION:
        return model.connection == target_id
    return model.destination == target_id


def live_targets(keys: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """The targets among keys whose rows still exist, kept from deletion until this transaction ends.

    A snapshot of the targets may name a connection or destination deleted since (by another
    process, or a moment ago); a delivery or log row pointing at it would break its foreign key
    and fail the whole batch with it. On PostgreSQL, FOR KEY SHARE makes a concurrent delete wait
    until this transaction ends (and a row deleted before is not found); SQLite runs one writing
    transaction at a time.
    """
    wanted = set(keys)
    live: set[tuple[str, int]] = set()
    for kind, model in ((TargetKind.CONNECTION, PushConnection),
                        (TargetKind.DESTINATION, HubDestination)):
        ids = sorted(i for k, i in wanted if k == kind)
        if not ids:
            continue
        query = model.select(model.id).where(model.id.in_(ids)).order_by(model.id)
        if not is_sqlite():
            query = query.for_update("FOR KEY SHARE")
        live.update((kind.value, row.id) for row in query)
    return live


def lease_seconds(config: Any) -> float:
    """How long a taken delivery belongs to the job that took it."""
    return (config["PUSH_SEND_BUDGET_SECONDS"] + config["PUSH_CONNECT_TIMEOUT"]
            + config["PUSH_READ_TIMEOUT"] + 10)


def next_delay(attempts: int, retry_after: float | None, config: Any,
               rng: random.Random = _rng) -> float | None:
    """Seconds before the next attempt after `attempts` failed ones, or None when none is left."""
    schedule = config["PUSH_RETRY_SCHEDULE"]
    if attempts >= len(schedule):
        return None
    jitter = config["PUSH_RETRY_JITTER"]
    delay = schedule[attempts] * (1 + rng.uniform(-jitter, jitter))
    if retry_after is not None:
        delay = max(delay, min(retry_after, config["PUSH_RETRY_AFTER_MAX_SECONDS"]))
    return delay


def policy() -> egress.Policy:
    """The egress policy of the current app."""
    return egress.Policy.from_config(current_app.config)


def run(sends: list[Send]) -> list[Result]:
    """Send, log every attempt, settle each delivery, schedule what must be retried."""
    if not sends:
        return []
    config = current_app.config
    retries: list[tuple[dt.datetime, int, tuple]] = []
    slots: set[tuple] = set()

    def settle(chunk: list[Result]) -> None:
        done = record(chunk)
        slots.update(schedule(done, slots))
        retries.extend(done)

    results, left = send_all(sends, policy(), config["PUSH_CONCURRENCY"],
                             config["PUSH_TARGET_CONCURRENCY"], config["PUSH_SEND_BUDGET_SECONDS"],
                             settle)
    if left:
        down = {r.send.target.key for r in results if r.unreachable}
        down_until: dict[tuple, dt.datetime] = {}
        for when, _, key in retries:
            if key in down:
                down_until[key] = max(when, down_until.get(key, when))
        schedule(postpone(left, down_until), slots)
    return results


def _attempt_row(result: Result, log_max: int) -> dict[str, Any]:
    send = result.send
    return {"delivery": send.delivery_id, **target_columns(send.target),
            "event_id": send.event.id, "event_type": send.event.type, "attempt": send.attempt,
            "created_at": result.started_at, "url": send.target.url,
            "request_headers": masking.headers(result.sent_headers),
            "request_body": send.logged_body, "response_code": result.code,
            "response_headers": masking.headers(result.response_headers),
            "response_body": result.response_body[:log_max], "error": result.error,
            "duration_ms": result.duration_ms, "succeeded": result.ok}


def record(results: list[Result]) -> list[tuple[dt.datetime, int, tuple]]:
    """Write the log and the deliveries' new state in one transaction; return retries to schedule."""
    config = current_app.config
    now = utcnow()
    succeeded: dict[tuple[int, int], list[int]] = {}
    retries: list[tuple[dt.datetime, int, tuple]] = []
    disable: dict[tuple, str] = {}
    with db.atomic():
        # A connection deleted while its deliveries were in flight took them along.
        targets = live_targets(r.send.target.key for r in results)
        ids = [r.send.delivery_id for r in results
               if r.send.delivery_id is not None and r.send.target.key in targets]
        alive = {d.id for d in Delivery.select(Delivery.id).where(Delivery.id.in_(ids))}
        results = [r for r in results if r.send.delivery_id in alive]
        attempts = Writes()
        for r in results:
            attempts.insert(DeliveryAttempt(**_attempt_row(r, config["PUSH_LOG_BODY_MAX"])))
        attempts.flush()
        for r in results:
            send = r.send
            if r.ok:
                succeeded.setdefault((r.code, send.attempt), []).append(send.delivery_id)
                continue
            delay = next_delay(send.attempt, r.retry_after(), config) if (
                send.retry and r.retryable) else None
            when = now + dt.timedelta(seconds=delay) if delay is not None else None
            if r.code == 410:
                disable[send.target.key] = f"Receiver answered 410 Gone at {now.isoformat()}Z."
            elif send.locked:
                disable[send.target.key] = f"{send.locked} Disabled at {now.isoformat()}Z."
            (Delivery.update(status=(DeliveryStatus.PENDING if when else DeliveryStatus.FAILED).value,
                             attempts=send.attempt, next_attempt_at=when, last_code=r.code,
                             last_error=r.error, updated_at=now)
             .where(Delivery.id == send.delivery_id).execute())
            if when:
                retries.append((when, send.delivery_id, send.target.key))
        for (code, attempt), ids in succeeded.items():
            (Delivery.update(status=DeliveryStatus.SUCCEEDED.value, attempts=attempt,
                             next_attempt_at=None, last_code=code, last_error=None, updated_at=now)
             .where(Delivery.id.in_(ids)).execute())
        for key, reason in disable.items():
            _disable(key, reason)
    return retries


def postpone(left: list[Send], down_until: dict[tuple, dt.datetime]
             ) -> list[tuple[dt.datetime, int, tuple]]:
    """Sends left out: retried with their target when it was down, else at once."""
    now = utcnow()
    out = []
    with db.atomic():
        for send in left:
            if send.delivery_id is None:
                continue
            when = down_until.get(send.target.key, now)
            (Delivery.update(next_attempt_at=when, updated_at=now)
             .where(Delivery.id == send.delivery_id).execute())
            out.append((when, send.delivery_id, send.target.key))
    return out


def _disable(key: tuple[str, int], reason: str) -> None:
    kind, target_id = key
    if kind == TargetKind.CONNECTION:
        conn = PushConnection.get_or_none(PushConnection.id == target_id)
        if conn is not None:
            connections.set_enabled(conn, False, reason)
    else:
        dest = HubDestination.get_or_none(HubDestination.id == target_id)
        if dest is not None:
            hubs.disable_destination(dest, reason)
    (Delivery.update(status=DeliveryStatus.FAILED.value, next_attempt_at=None,
                     last_error=reason, updated_at=utcnow())
     .where(target_where(Delivery, key), Delivery.status == DeliveryStatus.PENDING.value)
     .execute())
    log.warning("push target %s:%s disabled: %s", kind, target_id, reason)


def schedule(retries: Iterable[tuple[dt.datetime, int, tuple]], skip: Container[tuple] = ()
             ) -> set[tuple]:
    """Schedule one RQ retry job per target and second, unless in `skip`; return those slots.

    Runs after commit; when Redis is down the sweeper re-queues what is due.
    """
    first: dict[tuple, int] = {}
    for when, delivery_id, key in retries:
        slot = (key, math.floor(when.timestamp()))
        if slot not in skip:
            first[slot] = min(first.get(slot, delivery_id), delivery_id)
    if not first:
        return set()
    try:
        conn = get_redis()
        queue = Queue(DEFAULT_QUEUE, connection=conn)
        with conn.pipeline() as pipe:
            for (_, second), delivery_id in first.items():
                at = dt.datetime.fromtimestamp(second, dt.UTC)
                queue.enqueue_at(at, RETRY_JOB, delivery_id, pipeline=pipe)
            pipe.execute()
    except REDIS_ERRORS as exc:
        log.warning("could not schedule %s retry job(s), the sweeper will: %s", len(first), exc)
    return set(first)


def take(where: peewee.Expression, limit: int) -> list[Delivery]:
    """Lock matching pending deliveries for this job for the lease time."""
    now = utcnow()
    with db.atomic():
        query = (Delivery.select(Delivery, Event).join(Event)
                 .where(where, Delivery.status == DeliveryStatus.PENDING.value)
                 .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
        if not is_sqlite():
            query = query.for_update(of=Delivery, skip_locked=True)
        rows = list(query)
        if rows:
            until = now + dt.timedelta(seconds=lease_seconds(current_app.config))
            (Delivery.update(next_attempt_at=until, updated_at=now)
             .where(Delivery.id.in_([d.id for d in rows])).execute())
    return rows


def sends_for(rows: list[Delivery], targets: dict[tuple, Target], retry: bool = True) -> list[Send]:
    """Prepare an attempt for each delivery (the webhook's files loaded once per event)."""
    cap = current_app.config["PUSH_FILES_MAX_BYTES"]
    attached: dict[str, list] = {}
    out = []
    for d in rows:
        target = targets[d.target_key]
        files = None
        if target.attach_files:
            if d.event.id not in attached:
                attached[d.event.id] = envelope.files(d.event.webhook_id, cap)
            files = attached[d.event.id]
        out.append(prepare(d.event, target, d.id, d.attempts + 1, files, retry))
    return out


def _settle_orphans(rows: list[Delivery], targets: dict[tuple, Target]) -> list[Delivery]:
    orphans = [d.id for d in rows if d.target_key not in targets]
    if orphans:
        (Delivery.update(status=DeliveryStatus.FAILED.value, next_attempt_at=None,
                         last_error="The push connection or hub destination is disabled.",
                         updated_at=utcnow())
         .where(Delivery.id.in_(orphans)).execute())
    return [d for d in rows if d.target_key in targets]


def retry_due(delivery_id: int) -> int:
    """Attempt this delivery and its target's other due deliveries; return how many were sent."""
    first = Delivery.get_or_none(Delivery.id == delivery_id)
    if first is None or first.status != DeliveryStatus.PENDING:
        return 0
    due = utcnow() + SCHEDULER_SLACK
    rows = take(target_where(Delivery, first.target_key) & (Delivery.next_attempt_at <= due),
                current_app.config["PUSH_BATCH_SIZE"])
    targets = subscribers.current().by_key
    rows = _settle_orphans(rows, targets)
    return len(run(sends_for(rows, targets)))


def requeue(delivery_id: int) -> Delivery:
    """Queue one more attempt of a delivery by hand (its target must be enabled)."""
    d = get_or_404(Delivery, Delivery.id == delivery_id,
                   message=f"Delivery {delivery_id} does not exist.")
    if d.status == DeliveryStatus.SUCCEEDED:
        raise Conflict(f"Delivery {delivery_id} has already succeeded.")
    if d.target_key not in subscribers.current().by_key:
        raise Conflict(f"Delivery {delivery_id} goes to a disabled target; enable it first.")
    with db.atomic():
        d.status, d.next_attempt_at, d.updated_at = DeliveryStatus.PENDING.value, utcnow(), utcnow()
        d.save()
        outbox.add(RETRY_JOB, d.id)
    return d


def failed_ids(connection_id: int) -> list[int]:
    """Ids of a connection's failed deliveries, oldest first."""
    return [d.id for d in Delivery.select(Delivery.id)
            .where(Delivery.connection == connection_id,
                   Delivery.status == DeliveryStatus.FAILED.value).order_by(Delivery.id)]


def queue_resend(conn: PushConnection) -> int:
    """Queue a resend of a connection's failed deliveries; return how many there are."""
    if not conn.enabled:
        raise Conflict(f"Push connection '{conn.name}' is disabled; enable it first.")
    count = len(failed_ids(conn.id))
    with db.atomic():
        outbox.add(RESEND_JOB, conn.id)
    return count


def resend(ids: list[int], progress: Callable[[int], None] | None = None) -> int:
    """Attempt failed deliveries again now, in batches; return how many succeeded."""
    targets = subscribers.current().by_key
    size = current_app.config["PUSH_BATCH_SIZE"]
    succeeded = 0
    for chunk in peewee.chunked(ids, size):
        with db.atomic():
            (Delivery.update(status=DeliveryStatus.PENDING.value, updated_at=utcnow())
             .where(Delivery.id.in_(chunk), Delivery.status == DeliveryStatus.FAILED.value)
             .execute())
            rows = take(Delivery.id.in_(chunk), size)
        rows = _settle_orphans(rows, targets)
        succeeded += sum(r.ok for r in run(sends_for(rows, targets)))
        if progress:
            progress(len(chunk))
    return succeeded


def ping(target: Target) -> dict[str, Any]:
    """Send a signed ping to a connection or destination now; log it; report the outcome."""
    lease = dt.timedelta(seconds=lease_seconds(current_app.config))
    with db.atomic():
        event = Event.create(id=new_id(), type=EventType.PING.value, data=PING_DATA,
                             fanned_out=True)
        d = Delivery.create(event=event, next_attempt_at=utcnow() + lease,
                            **target_columns(target))
    [result] = run([prepare(event, target, d.id, 1, retry=False)])
    return {"delivery_id": d.id, "code": result.code, "latency_ms": result.duration_ms,
            "error": result.error}


def ping_url(url: str) -> dict[str, Any]:
    """Send a ping to a bare URL, signed with a throwaway secret that is returned."""
    secret = signing.new_secret()
    target = Target(kind=TargetKind.CONNECTION, id=0, name="test", url=url,
                    event_types=frozenset([EventType.PING.value]),
                    credentials=Credentials(keys=((seal(secret), None),)))
    event = Event(id=new_id(), type=EventType.PING.value, data=PING_DATA, created_at=utcnow())
    result = perform(prepare(event, target, None, 1, retry=False), policy())
    return {"webhook_id": event.id, "code": result.code, "latency_ms": result.duration_ms,
            "error": result.error, "secret": secret}
