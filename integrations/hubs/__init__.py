"""Hubs: named sets of event destinations with API credentials."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the hubs API and pages, and hub destinations as event targets."""
    from core import web
    from integrations.hubs import api, service, views
    from integrations.push import subscribers
    from integrations.push.targets import TargetKind

    subscribers.provide(TargetKind.DESTINATION, service.enabled_targets)
    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Hubs", "hub_views.hubs_list", order=75)
