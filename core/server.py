"""The production web server (gunicorn) with access logs that never show an API key."""

from __future__ import annotations

import re

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"/(webhooks|get_entities|get_entity_description)/[^/?\s]+")


def redact(path: str) -> str:
    """Hide the API key in a request path."""
    return SECRET_PATH.sub(r"/\1/***", path)


class RedactingLogger(Logger):
    """gunicorn's logger, with API keys removed from the request line and path."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        return atoms


class Server(BaseApplication):
    """gunicorn serving an already-built app."""

    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("logger_class", RedactingLogger)

    def load(self) -> Flask:
        return self.application
