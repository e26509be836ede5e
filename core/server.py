"""gunicorn's settings for hookhub (`gunicorn -c python:core.server 'app:create_app()'`).

Requests are served by threads (gthread), many per worker, and each body is read in full under a
deadline before the app runs on the worker's few app threads (core.buffering): a client that
stalls mid-body holds one cheap thread for at most BODY_READ_TIMEOUT_SECONDS, never a worker or a
database connection. Neither the access log nor the error log ever shows an API key.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from core import masking
from core.buffering import BufferedApp

worker_class = "gthread"
# Threads that read requests and write answers; a worker takes no more connections than it has
# threads, so a connection never waits behind slow clients for a thread while another worker
# has one free (keep worker_connections equal to threads when changing either).
threads = 128
worker_connections = threads
# Every answer closes its connection, as the sync workers did: a kept-alive connection would
# hold a connection slot of its worker.
keepalive = 0
accesslog = "-"
# Several hookhub servers on one host would share gunicorn's one default control socket.
control_socket_disable = True


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
                atoms[key] = masking.path(atoms[key])
        if atoms.get("q"):
            atoms["q"] = masking.path("?" + atoms["q"])[1:]
        return atoms


logger_class = RedactingLogger


def post_worker_init(worker) -> None:
    """Serve the worker's freshly built app through the body reader and its app threads."""
    worker.wsgi = BufferedApp.around(worker.wsgi)
