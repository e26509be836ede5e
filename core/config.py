"""Configuration defaults; the environment (HOOKHUB_*) and create_app's mapping override them."""

from __future__ import annotations

import os

from flask import Flask

from core import secretbox

DEFAULTS = {
    # Storage and queue.
    "DATA_DIR": "instance",
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "REDIS_TIMEOUT": 5,
    "RETRY_AFTER_SECONDS": 5,
    "RECONNECT_MAX_SECONDS": 5,
    # Inbound webhooks: limits of a body and of a form.
    "MAX_BODY_BYTES": 1024 * 1024,
    "MAX_FORM_PARTS": 1000,
    "MAX_FIELD_BYTES": 512 * 1024,
    # Forms and webhook payloads nest a few levels; hookhub walks payloads recursively (the
    # parse step, JSONPath "..", the JSON encoders), so nesting stays far below Python's 1000.
    "MAX_JSON_DEPTH": 64,
    "IDEMPOTENCY_WINDOW_SECONDS": 24 * 3600,
    # Processing: deferred batches, claims and the sweeper.
    "BATCH_SIZE": 200,
    "CLAIM_LEASE_SECONDS": 120,
    "INLINE_GRACE_SECONDS": 30,
    "SWEEP_SECONDS": 5,
    "POLL_SECONDS": 0.05,
    # Rules: bounds on a process's rules and on the time they may take (rules/expressions.py).
    "RULES_MAX_RULES": 200,
    "RULES_MAX_EXPRESSION": 500,
    "RULES_MAX_CONDITION_NODES": 100,
    "RULES_MAX_ACTIONS": 20,
    "RULES_REGEX_TIMEOUT_MS": 50,
    "RULES_REGEX_MAX_SUBJECT": 10_000,
    "RULES_TIME_BUDGET_MS": 500,
    # Extra steps, coercers and actions by dotted path, beside the entry points (core/plugins.py).
    "PLUGINS": {},
    # Push: retries, outbound calls, batches, sweeps, the delivery log and connectivity tests.
    "PUSH_RETRY_SCHEDULE": [0, 5, 300, 1800, 7200, 18000, 36000, 36000],
    "PUSH_RETRY_JITTER": 0.2,
    "PUSH_RETRY_AFTER_MAX_SECONDS": 24 * 3600,
    "PUSH_CONNECT_TIMEOUT": 5,
    "PUSH_READ_TIMEOUT": 15,
    "PUSH_CONCURRENCY": 16,
    "PUSH_TARGET_CONCURRENCY": 4,
    "PUSH_BATCH_SIZE": 100,
    "PUSH_SEND_BUDGET_SECONDS": 30,
    "PUSH_DRAIN_SECONDS": 60,
    "PUSH_SWEEP_SECONDS": 5,
    "PUSH_RECOVER_GRACE_SECONDS": 30,
    "PUSH_RESPONSE_MAX_BYTES": 64 * 1024,
    "PUSH_LOG_BODY_MAX": 4096,
    "PUSH_FILES_MAX_BYTES": 5 * 1024 * 1024,
    "PUSH_LOG_RETENTION_DAYS": 30,
    "PUSH_TEST_WAIT_SECONDS": 30,
    "PUSH_TEST_KEEP_SECONDS": 3600,
    # Outbound calls: internal networks they may reach nevertheless (core/egress.py).
    "EGRESS_ALLOW": [],
    # The web: proxies, secrets, sessions, CSRF, login throttling.
    "PROXY_FIX": 0,
    "SECRET_KEY": None,
    # Fernet keys for stored secrets, newest first (core/secretbox.py); the key derived from
    # SECRET_KEY is tried last.
    "ENCRYPTION_KEYS": [],
    "SESSION_COOKIE_NAME": "hookhub_session",
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_MAX_AGE_SECONDS": 12 * 3600,
    # Only the UI's blueprints check CSRF tokens (core.web.views_blueprint): the bearer-token
    # API, the inbound webhooks and Creatio's endpoints never read the session.
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_FORM_BYTES": 10 * 1024 * 1024,
    "LOGIN_THROTTLE_FAILURES": 5,
    "LOGIN_THROTTLE_WINDOW_SECONDS": 15 * 60,
    "LOGIN_THROTTLE_DELAY_SECONDS": 15,
    "LOGIN_THROTTLE_MAX_DELAY_SECONDS": 15 * 60,
    # The web server (core.server): a body must have arrived in full within this, and each web
    # worker runs the app on this many threads, each keeping one database connection.
    "BODY_READ_TIMEOUT_SECONDS": 15,
    "APP_THREADS": 8,
}


def load(app: Flask, overrides: dict | None) -> None:
    """Defaults, then DATABASE_URL/REDIS_URL and HOOKHUB_* from the environment, then overrides."""
    app.config.from_mapping(DEFAULTS)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("HOOKHUB")
    if overrides:
        app.config.from_mapping(overrides)
    app.config["ENCRYPTION_KEYS"] = secretbox.parse_keys(app.config["ENCRYPTION_KEYS"])
    if not app.config["DATABASE_URL"]:
        path = os.path.abspath(os.path.join(app.config["DATA_DIR"], "hookhub.db"))
        app.config["DATABASE_URL"] = f"sqlite:///{path}"
