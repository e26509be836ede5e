"""A raw HTTP/1.1 client over a socket, for framings urllib never sends (chunked bodies)."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def chunked(body: bytes, size: int, extension: bytes = b"", upper: bool = False) -> bytes:
    """The body in Transfer-Encoding: chunked framing, `size` bytes a chunk; chunk extensions
    and upper-case hex sizes are valid framing too (RFC 9112 section 7.1)."""
    hexed = b"%X" if upper else b"%x"
    parts = [hexed % len(body[i:i + size]) + extension + b"\r\n" + body[i:i + size] + b"\r\n"
             for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def post_chunked(port: int, path: str, body: bytes, content_type: str, size: int = 64 * 1024,
                 framed: bytes | None = None) -> Answer:
    """POST a body in chunks (or the given framing as is) and read the answer."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(head + (chunked(body, size) if framed is None else framed))
        except OSError:
            pass  # the server answered before reading the whole body; its answer is still there
        response = http.client.HTTPResponse(sock)
        response.begin()
        return Answer(response.status, response.read())
