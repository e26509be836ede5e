"""Periodic housekeeping run beside every worker: outbox relay, sweepers, purges."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from core import generation
from core.db import discard_connection, ensure_connection
from core.outages import DATABASE, database_down
from core.queue import REDIS_ERRORS, mark_down

log = logging.getLogger(__name__)


@dataclass
class PeriodicTask:
    name: str
    every: float
    func: Callable[[], object]
    next_run: float = field(default=0.0)


def register(app: Flask, name: str, every: float, func: Callable[[], object]) -> None:
    """Run func every `every` seconds in each worker's housekeeping thread."""
    app.extensions.setdefault("hookhub.periodic", []).append(PeriodicTask(name, every, func))


def run_due(app: Flask, now: float | None = None) -> None:
    """Run each task whose time has come, each as a unit of work; one failing task never stops
    the others.

    A database outage is logged once (when it starts) rather than by every task every tick.
    """
    now = time.monotonic() if now is None else now
    for task in app.extensions.get("hookhub.periodic", []):
        if task.next_run > now:
            continue
        task.next_run = now + task.every
        try:
            generation.forget()
            task.func()
        except Exception as exc:
            if database_down(exc):
                DATABASE.failed(exc)
                discard_connection()
            elif isinstance(exc, REDIS_ERRORS):
                mark_down(exc)
            else:
                log.exception("periodic task %s failed", task.name)


def run_forever(app: Flask, stop: threading.Event, tick: float = 0.5) -> None:
    """Loop over the periodic tasks until stop is set; ride out database and Redis outages."""
    with app.app_context():
        while not stop.is_set():
            try:
                ensure_connection()
                run_due(app)
            except Exception as exc:
                if database_down(exc):
                    DATABASE.failed(exc)
                else:
                    log.exception("housekeeping tick failed")
            stop.wait(tick)


def start(app: Flask) -> threading.Event:
    """Start the housekeeping thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(app, stop), name="hookhub-housekeeping",
                     daemon=True).start()
    return stop
