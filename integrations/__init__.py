"""Sources and keys, inbound webhooks, Creatio endpoints, push connections, hubs and delivery."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, pages, dashboard panels, periodic tasks and push CLI commands."""
    from core import maintenance, web
    from integrations import (
        api,
        creatio,
        dashboard,
        delivery_log,
        hub_views,
        hubs_api,
        inbound,
        intake,
        push,
        push_api,
        push_views,
        stored_secrets,
        views,
    )
    from integrations.push_cli import COMMANDS

    for key, value in push.DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(inbound.bp)
    app.register_blueprint(creatio.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(push_api.bp)
    app.register_blueprint(hubs_api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Inbox", "integrations_views.inbox", order=20)
    web.add_nav(app, "Sources", "integrations_views.sources_list", order=30)
    app.register_blueprint(push_views.bp)
    app.register_blueprint(hub_views.bp)
    web.add_nav(app, "Push", "push_views.connections_list", order=70)
    web.add_nav(app, "Hubs", "hub_views.hubs_list", order=75)
    web.add_panel(app, "webhooks_over_time", "integrations/_panel_chart.html",
                  dashboard.received_over_time)
    web.add_panel(app, "webhook_counts", "integrations/_panel_counts.html", dashboard.status_counts)
    web.add_panel(app, "recent_errors", "integrations/_panel_errors.html", dashboard.recent_errors)
    web.add_panel(app, "failing_push_connections", "integrations/_panel_failing_push.html",
                  dashboard.failing_connections)
    maintenance.register(app, "purge-idempotency-keys", 3600, intake.purge_idempotency_keys)
    maintenance.register(app, "push-sweep", app.config["PUSH_SWEEP_SECONDS"], push.sweep)
    maintenance.register(app, "purge-delivery-log", 3600, delivery_log.purge)
    for command in COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(stored_secrets.reencrypt_command)
