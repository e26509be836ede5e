"""Read each request's body in full under one deadline, then run the app on a few threads.

gunicorn's threads block on their socket while a client sends its body, so a client that stalls
mid-body holds its thread. Here the thread that took the request reads the whole body first,
against a total deadline (a watcher shuts the socket's read side when it passes, which also ends
a read that a trickle of bytes would keep alive), and only a complete request goes on to the app.
The app runs on a small fixed pool of threads, the only ones that touch the database, so each web
worker keeps at most APP_THREADS connections open however many clients are slow.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import RequestEntityTooLarge

from core import masking
from core.errors import error_body
from core.http import malformed_chunks

log = logging.getLogger(__name__)
READ_STEP = 64 * 1024


class Deadlines:
    """A thread that shuts the read side of each watched socket whose deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        # [deadline, socket or None once done], in deadline order: every watch lasts as long.
        self._watched: deque[list] = deque()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, seconds: float) -> list:
        """Start watching a socket; pass the answer to done() when its body is read."""
        entry = [time.monotonic() + seconds, sock]
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hookhub-body-deadlines",
                                                daemon=True)
                self._thread.start()
            self._watched.append(entry)
            if len(self._watched) == 1:
                self._cond.notify()
        return entry

    def done(self, entry: list) -> None:
        """Stop watching (the body is read, or its read has failed)."""
        with self._cond:
            entry[1] = None
            while self._watched and self._watched[0][1] is None:
                self._watched.popleft()

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._watched:
                    self._cond.wait()
                    continue
                deadline, sock = self._watched[0]
                delay = deadline - time.monotonic()
                if sock is not None and delay > 0:
                    self._cond.wait(delay)
                    continue
                self._watched.popleft()
                if sock is not None:
                    try:
                        # A blocked recv() returns at once with end-of-file; the answer can
                        # still be written.
                        sock.shutdown(socket.SHUT_RD)
                    except OSError:
                        pass


class _TooLarge(io.RawIOBase):
    """The body of a request larger than any page or endpoint takes: reading it is a 413."""

    def __init__(self, limit: int):
        self.limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise RequestEntityTooLarge(f"The body is larger than {self.limit} bytes.")


class BufferedApp:
    """A WSGI app that reads the body under a deadline, then runs the app on its own threads."""

    def __init__(self, app: Flask, timeout: float, limit: int, threads: int):
        self.app, self.timeout, self.limit = app, timeout, limit
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="hookhub-app")
        self.deadlines = Deadlines()

    @classmethod
    def around(cls, app: Flask) -> BufferedApp:
        """Wrap a hookhub app with the limits of its configuration."""
        config = app.config
        return cls(app, config["BODY_READ_TIMEOUT_SECONDS"],
                   max(config["MAX_BODY_BYTES"], config["MAX_FORM_BYTES"]), config["APP_THREADS"])

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        refusal = self._buffer(environ)
        if refusal is not None:
            status, body = refusal
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(body)))])
            return [body]
        status, headers, body = self.pool.submit(self._run, environ).result()
        start_response(status, headers)
        return body

    def _buffer(self, environ: dict) -> tuple[str, bytes] | None:
        """Put the whole body in environ's wsgi.input; or the error answer when it did not come."""
        declared = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not declared.isdigit() and not chunked:
            return None
        length = int(declared) if declared.isdigit() else None
        if length == 0:
            return None
        if length is not None and length > self.limit:
            # Never read: the page or endpoint answers 413 from the declared length.
            environ["wsgi.input"] = _TooLarge(self.limit)
            return None
        wanted = self.limit + 1 if length is None else length
        stream, parts, got = environ["wsgi.input"], [], 0
        entry = self.deadlines.watch(environ["gunicorn.socket"], self.timeout)
        try:
            while got < wanted:
                data = stream.read(min(READ_STEP, wanted - got))
                if not data:
                    break
                parts.append(data)
                got += len(data)
        except ParseException as exc:
            error = malformed_chunks(exc)
            return _refusal(error.status, error.reason, error.message)
        except OSError:
            pass  # the client went away; answered below like any short body
        finally:
            late = time.monotonic() >= entry[0]
            self.deadlines.done(entry)
        if late and (length is None or got < length):
            log.warning("request body of %s %s from %s not received within %s s (%d bytes came)",
                        environ.get("REQUEST_METHOD"), masking.path(_target(environ)),
                        environ.get("REMOTE_ADDR"), self.timeout, got)
            return _refusal(408, "body_timeout",
                            f"The request body did not arrive within {self.timeout} s.")
        if length is not None and got < length:
            return _refusal(400, "incomplete_body",
                            f"The request body ended after {got} of {length} bytes.")
        environ["wsgi.input"] = io.BytesIO(b"".join(parts))
        return None

    def _run(self, environ: dict) -> tuple[str, list, Iterable[bytes]]:
        """Call the app and collect its whole answer, on one of the app's threads."""
        started: list = []
        written: list[bytes] = []

        def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            started[:] = [status, headers]
            return written.append

        result = self.app(environ, start_response)
        if isinstance(result, environ["wsgi.file_wrapper"]):
            return started[0], started[1], result  # a file: gunicorn sends it from its thread
        try:
            # Collected here, so that what a streamed answer reads runs on this thread too.
            written.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return started[0], started[1], written


def _target(environ: dict) -> str:
    query = environ.get("QUERY_STRING")
    return environ.get("PATH_INFO", "") + (f"?{query}" if query else "")


def _refusal(status: int, reason: str, message: str) -> tuple[str, bytes]:
    body = error_body(status, reason, message)
    return f"{status} {body['status']}", json.dumps(body).encode()
