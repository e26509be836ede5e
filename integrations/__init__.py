"""Sources and keys, inbound webhooks, Creatio endpoints."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the inbound, Creatio and API blueprints and the periodic purge."""
    from core import maintenance
    from integrations import api, creatio, inbound, intake

    app.register_blueprint(inbound.bp)
    app.register_blueprint(creatio.bp)
    app.register_blueprint(api.bp)
    maintenance.register(app, "purge-idempotency-keys", 3600, intake.purge_idempotency_keys)
