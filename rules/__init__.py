"""Rules: the condition language, actions, and their API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rules API and pages."""
    from rules import api, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
