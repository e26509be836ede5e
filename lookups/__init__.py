"""Webhook entities, fields, lookups and their rows."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the lookups API."""
    from lookups.api import bp

    app.register_blueprint(bp)
