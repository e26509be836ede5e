"""Rules: the condition language, actions, and their API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the rules API."""
    from rules.api import bp

    app.register_blueprint(bp)
