"""Sources and keys, inbound webhooks, Creatio endpoints."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the inbound, Creatio, API and page blueprints, dashboard panels, periodic purge."""
    from core import maintenance, web
    from integrations import api, creatio, dashboard, inbound, intake, views

    app.register_blueprint(inbound.bp)
    app.register_blueprint(creatio.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Inbox", "integrations_views.inbox", order=20)
    web.add_nav(app, "Sources", "integrations_views.sources_list", order=30)
    web.add_panel(app, "webhooks_over_time", "integrations/_panel_chart.html",
                  dashboard.received_over_time)
    web.add_panel(app, "webhook_counts", "integrations/_panel_counts.html", dashboard.status_counts)
    web.add_panel(app, "recent_errors", "integrations/_panel_errors.html", dashboard.recent_errors)
    maintenance.register(app, "purge-idempotency-keys", 3600, intake.purge_idempotency_keys)
