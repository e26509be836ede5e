"""A receiver for push deliveries on 127.0.0.1: HTTP/1.1 keep-alive, answers 200 at once."""

from __future__ import annotations

import asyncio
import threading

REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class Receiver:
    """Serve in a daemon thread; count the posts and remember the last body's size."""

    def __init__(self) -> None:
        self.count = 0
        self.last_size = 0
        ready: list[int] = []
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            ready.append(server.sockets[0].getsockname()[1])
            started.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        started.wait(10)
        self.port = ready[0]
        self.url = f"http://127.0.0.1:{self.port}/hook"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                self.count, self.last_size = self.count + 1, length
                writer.write(REPLY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
