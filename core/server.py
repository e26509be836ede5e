"""The production web server (gunicorn) with logs that never show an API key."""

from __future__ import annotations

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from core import masking


def redact(path: str) -> str:
    """Hide the API key and secret query parameters in a request line or path."""
    return masking.path(path)


class RedactingLogger(Logger):
    """gunicorn's logger, with API keys masked in the access log and in the error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        # "Error handling request POST /webhooks/<key>" when a worker is aborted mid-request.
        if not any(isinstance(f, masking.LogFilter) for f in self.error_log.filters):
            self.error_log.addFilter(masking.LogFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if key in atoms:
                atoms[key] = redact(atoms[key])
        if atoms.get("q"):
            atoms["q"] = redact("?" + atoms["q"])[1:]
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
