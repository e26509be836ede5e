"""Webhook entities, fields, lookups and their rows."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the lookups API and pages."""
    from core import web
    from lookups import api, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    web.add_nav(app, "Entities", "lookups_views.entities", order=40)
    web.add_nav(app, "Lookups", "lookups_views.lookups", order=50)
