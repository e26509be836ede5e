"""Integrations, in the order the data flows: inbound webhooks, push delivery, hubs."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Set up inbound, push and hubs, the dashboard panels and the secrets command."""
    from core import web
    from integrations import dashboard, hubs, inbound, push, stored_secrets

    inbound.init_app(app)
    push.init_app(app)
    hubs.init_app(app)
    web.add_panel(app, "webhooks_over_time", "integrations/_panel_chart.html",
                  dashboard.received_over_time)
    web.add_panel(app, "webhook_counts", "integrations/_panel_counts.html", dashboard.status_counts)
    web.add_panel(app, "recent_errors", "integrations/_panel_errors.html", dashboard.recent_errors)
    web.add_panel(app, "failing_push_connections", "integrations/_panel_failing_push.html",
                  dashboard.failing_connections)
    app.cli.add_command(stored_secrets.reencrypt_command)
