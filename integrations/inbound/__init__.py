"""Inbound webhooks: sources and keys, reading and storing payloads, Creatio's endpoints."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the webhook endpoint, Creatio's endpoints, the API, the pages and the key purge."""
    from core import maintenance, web
    from integrations.inbound import api, creatio, endpoint, intake, views

    app.register_blueprint(endpoint.bp)
    app.register_blueprint(creatio.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Inbox", "integrations_views.inbox", order=20)
    web.add_nav(app, "Sources", "integrations_views.sources_list", order=30)
    maintenance.register(app, "purge-idempotency-keys", 3600, intake.purge_idempotency_keys)
