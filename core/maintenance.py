"""Work beside every worker: periodic housekeeping (relay, sweepers, purges) and pollers."""

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


def register_poller(app: Flask, name: str, func: Callable[[], int]) -> None:
    """Run func over and over in a thread of its own beside each worker, resting POLL_SECONDS
    whenever it found nothing to do (it returns how much it did)."""
    app.extensions.setdefault("hookhub.pollers", []).append((name, func))


def _survive(name: str, exc: Exception) -> None:
    """Log what a task raised, a database or Redis outage once when it starts."""
    if database_down(exc):
        DATABASE.failed(exc)
        discard_connection()
    elif isinstance(exc, REDIS_ERRORS):
        mark_down(exc)
    else:
        log.exception("%s failed", name)


def run_due(app: Flask, now: float | None = None) -> None:
    """Run each task whose time has come, each as a unit of work; one failing task never stops
    the others."""
    now = time.monotonic() if now is None else now
    for task in app.extensions.get("hookhub.periodic", []):
        if task.next_run > now:
            continue
        task.next_run = now + task.every
        try:
            generation.forget()
            task.func()
        except Exception as exc:
            _survive(f"periodic task {task.name}", exc)


def run_forever(app: Flask, stop: threading.Event, tick: float = 0.5) -> None:
    """Loop over the periodic tasks until stop is set; ride out database and Redis outages."""
    with app.app_context():
        while not stop.is_set():
            try:
                ensure_connection()
                run_due(app)
            except Exception as exc:
                _survive("housekeeping tick", exc)
            stop.wait(tick)


def poll_forever(app: Flask, name: str, func: Callable[[], int], stop: threading.Event) -> None:
    """Call a poller until stop is set: again at once after work, after a rest when idle, after
    a second when it failed (an outage must not spin)."""
    rest = app.config["POLL_SECONDS"]
    with app.app_context():
        while not stop.is_set():
            try:
                ensure_connection()
                if func():
                    continue
            except Exception as exc:
                _survive(f"poller {name}", exc)
                stop.wait(max(rest, 1.0))
                continue
            stop.wait(rest)


def start(app: Flask) -> threading.Event:
    """Start the housekeeping thread and the pollers; set the returned event to stop them."""
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(app, stop), name="hookhub-housekeeping",
                     daemon=True).start()
    for name, func in app.extensions.get("hookhub.pollers", []):
        threading.Thread(target=poll_forever, args=(app, name, func, stop),
                         name=f"hookhub-{name}", daemon=True).start()
    return stop
