"""GET /healthz: the database and Redis answer."""

from __future__ import annotations

from flask import jsonify

from core.db import db
from core.queue import REDIS_ERRORS, get_redis


def check():
    """Ping the database and Redis; 503 when either is down."""
    status = {}
    try:
        db.execute_sql("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        get_redis().ping()
        status["redis"] = "ok"
    except REDIS_ERRORS as exc:
        status["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in status.values())
    return jsonify({"status": "ok" if healthy else "degraded", **status}), 200 if healthy else 503
