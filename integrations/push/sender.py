"""Send prepared deliveries concurrently, so a slow or dead receiver cannot hold up the others."""

from __future__ import annotations

import collections
import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from werkzeug.http import parse_date

from core import egress
from core.db import utcnow
from core.secretbox import SecretUnavailable
from integrations.push import envelope, headers, signing
from integrations.push.events import Event
from integrations.push.targets import Target

RETRYABLE_CODES = frozenset({429})
SETTLE_EVERY = 50
SETTLE_SECONDS = 1.0


@dataclass
class Send:
    """One attempt to make: the target, the event, the body, the headers and keys to sign with.

    `locked` says why nothing can be sent when a secret of the target cannot be decrypted.
    """

    delivery_id: int | None
    attempt: int
    target: Target
    event: Event
    body: str
    logged_body: str
    headers: dict[str, str]
    retry: bool = True
    keys: list[str] = field(default_factory=list)
    locked: str | None = None


@dataclass
class Result:
    """What one attempt did: the response (code 0 when there was none) or the error."""

    send: Send
    started_at: dt.datetime
    duration_ms: int
    code: int
    sent_headers: dict[str, str]
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    error: str | None = None
    refused: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    @property
    def unreachable(self) -> bool:
        """No response for a network reason (not a refusal by the egress guard)."""
        return self.code == 0 and not self.refused

    @property
    def retryable(self) -> bool:
        return self.unreachable or self.code >= 500 or self.code in RETRYABLE_CODES

    def retry_after(self) -> float | None:
        """Seconds the receiver asked us to wait (Retry-After as seconds or an HTTP date)."""
        value = next((v for k, v in self.response_headers.items() if k.lower() == "retry-after"), None)
        if not value:
            return None
        if value.strip().isdigit():
            return float(value.strip())
        when = parse_date(value)
        if when is None:
            return None
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def prepare(event: Event, target: Target, delivery_id: int | None, attempt: int,
            attached: list[dict[str, Any]] | None = None, retry: bool = True) -> Send:
    """Build the body and the unsigned headers of one attempt, decrypting its secrets for it."""
    body, logged = envelope.bodies(event, target, attached)
    data = event.data if isinstance(event.data, dict) else {}
    variables = {"event.id": event.id, "event.type": event.type,
                 "event.timestamp": event.timestamp(), "webhook.id": event.webhook_id,
                 "source.id": event.source_id, "source.name": (data.get("source") or {}).get("name"),
                 "hub.name": target.hub or event.hub, "connection.name": target.name,
                 "connection.version": target.version, "user.name": event.actor}
    record = (data.get("record") or {}).get("data")
    out = {"Content-Type": "application/json"}
    try:
        keys, authorization = (target.credentials.signing_keys(utcnow()),
                               target.credentials.authorization())
    except SecretUnavailable as exc:
        keys, authorization, locked = [], None, exc.message
    else:
        locked = None
    if authorization:
        out["Authorization"] = authorization
    for name, template in target.headers:
        out[name] = headers.render(template, variables, record)
    return Send(delivery_id, attempt, target, event, body, logged, out, retry, keys, locked)


def perform(send: Send, policy: egress.Policy) -> Result:
    """Sign and send one attempt through the egress guard (runs in a pool thread)."""
    if send.locked:
        return Result(send, utcnow(), 0, 0, dict(send.headers), error=send.locked, refused=True)
    now = dt.datetime.now(dt.UTC)
    sent = {**send.headers, **signing.headers(send.event.id, send.body, send.keys, now)}
    started, clock = utcnow(), time.perf_counter()
    result = Result(send, started, 0, 0, sent)
    try:
        reply = egress.send(policy, "POST", send.target.url, sent, send.body.encode())
    except egress.EgressRefused as exc:
        result.error, result.refused = exc.message, True
    except egress.TransportError as exc:
        result.error = str(exc)
    else:
        result.code, result.response_headers = reply.status, reply.headers
        result.response_body = reply.body.decode("utf-8", "replace")
        if not result.ok:
            result.error = f"HTTP {reply.status} {_phrase(reply.status)}".rstrip()
    result.duration_ms = round((time.perf_counter() - clock) * 1000)
    return result


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def send_all(sends: list[Send], policy: egress.Policy, concurrency: int, per_target: int,
             budget_seconds: float, settle: Callable[[list[Result]], None]
             ) -> tuple[list[Result], list[Send]]:
    """Send concurrently, handing results to `settle` as they come; return them and the sends left out.

    At most `per_target` requests run at once to one target, so a slow receiver holds only
    that many threads; after a target fails to answer, its remaining sends are left out (to be
    retried later), and no new send starts after the budget. Results are settled every
    SETTLE_EVERY results or SETTLE_SECONDS, so a crash repeats little and the log stays fresh.
    """
    queues: collections.OrderedDict[tuple, collections.deque[Send]] = collections.OrderedDict()
    for send in sends:
        queues.setdefault(send.target.key, collections.deque()).append(send)
    running: dict[Future, Send] = {}
    busy: collections.Counter[tuple] = collections.Counter()
    results: list[Result] = []
    unsettled: list[Result] = []
    left: list[Send] = []
    down: set[tuple] = set()
    deadline = time.monotonic() + budget_seconds
    settled_at = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(sends) or 1))) as pool:
        while queues or running:
            expired = time.monotonic() >= deadline
            for key in list(queues):
                queue = queues[key]
                if key in down or expired:
                    left.extend(queue)
                    queue.clear()
                while queue and busy[key] < per_target and len(running) < concurrency:
                    send = queue.popleft()
                    running[pool.submit(perform, send, policy)] = send
                    busy[key] += 1
                if queue:
                    queues.move_to_end(key)  # the next round starts with the other targets
                else:
                    del queues[key]
            if running:
                done, _ = wait(running, timeout=SETTLE_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    send = running.pop(future)
                    busy[send.target.key] -= 1
                    result = future.result()
                    unsettled.append(result)
                    if result.unreachable:
                        down.add(send.target.key)
            if unsettled and (len(unsettled) >= SETTLE_EVERY or not running
                              or time.monotonic() - settled_at >= SETTLE_SECONDS):
                settle(unsettled)
                results.extend(unsettled)
                unsettled, settled_at = [], time.monotonic()
    return results, left
