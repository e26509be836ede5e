"""Fixtures for push delivery tests: live receivers on 127.0.0.1, a test config, an RQ worker."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from core import outbox
from core.queue import get_queue, get_redis
from core.worker import JobWorker
from integrations.push import connections
from tests.e2e.conftest import wait_for

PUSH_CONFIG = {"EGRESS_ALLOW": ["127.0.0.1/32"], "PUSH_RETRY_SCHEDULE": [0, 0.01, 0.01, 0.01],
               "PUSH_RETRY_JITTER": 0, "PUSH_CONNECT_TIMEOUT": 2, "PUSH_READ_TIMEOUT": 2}


@pytest.fixture
def push_app(app):
    """The app with a compressed retry schedule, no jitter and 127.0.0.1 allow-listed."""
    saved = {k: app.config[k] for k in PUSH_CONFIG}
    app.config.update(PUSH_CONFIG)
    yield app
    app.config.update(saved)


@pytest.fixture
def receiver():
    """Make live HTTP receivers on 127.0.0.1 (threaded, so concurrent requests are served)."""
    servers = []

    def make() -> HTTPServer:
        server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        server.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.clear()
        server.stop()


class RawReceiver:
    """A TCP listener on 127.0.0.1 that keeps each request's raw bytes and answers 200."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.create_server((host, 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            with conn:
                conn.settimeout(5)
                self.requests.append(self._read(conn))
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    @staticmethod
    def _read(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw_receiver():
    server = RawReceiver()
    yield server
    server.close()


def run_worker() -> None:
    """Run the queued jobs, and the scheduled ones already due, in this thread; then return."""
    assert outbox.kicks_sent(), "this process's kicks were not sent within 30 s"
    JobWorker([get_queue()], connection=get_redis()).work(burst=True, with_scheduler=True,
                                                          logging_level="WARNING")


def work_until(predicate: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Run the worker in this thread again and again until predicate holds.

    A retry due now may be scheduled for the next whole second (RQ's scheduler keeps whole
    seconds), so tests wait for what they need (an attempt logged, a receiver's hit) instead.
    """
    def worked() -> Any:
        run_worker()
        return predicate()

    return wait_for(worked, what, timeout, interval=0.05)


def enabled_connection(url: str, event_types: list[str] | None = None, **data):
    """Create and enable a connection; return it with its signing secret."""
    conn, secret = connections.create_connection({
        "name": data.pop("name", "crm"), "url": url, "version": data.pop("version", "1"),
        "event_types": event_types or ["record.created"], "entities": [], "sources": [],
        "condition": None, "headers": [], "auth": {"type": "none"}, "attach_files": False,
        **data})
    connections.set_enabled(conn, True)
    return conn, secret
