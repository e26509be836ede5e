"""Post request bodies from a few threads, each on its own HTTP/1.1 connection, at a set pace.

Open loop: request i is due at start + i / rate whatever happened to the ones before, so a
slow answer delays what follows on its connection but not the schedule. Without a rate every
thread posts as fast as it is answered. A server that closes after each answer (gunicorn's sync
workers do) gets a new connection for the next request.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse


def post(url: str, body: Callable[[int], str], headers: dict[str, str], connections: int,
         count: int | None = None, seconds: float | None = None,
         rate: float | None = None) -> dict:
    """POST body(i) for i = 0, 1... until `count` are sent or `seconds` have passed.

    Returns a summary shaped like bench.ingest's wrk script's: requests, seconds and 200
    latency quantiles in ms (every half percent, then the maximum).
    """
    target = urlparse(url)
    numbers = itertools.count()
    latencies: list[float] = []
    failures: list[str] = []
    start = time.perf_counter()
    end = start + seconds if seconds is not None else float("inf")

    def send() -> None:
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        mine = []
        try:
            for i in numbers:
                due = start + i / rate if rate else time.perf_counter()
                if (count is not None and i >= count) or due >= end or failures:
                    break
                time.sleep(max(0.0, due - time.perf_counter()))
                sent = time.perf_counter()
                conn.request("POST", target.path, body(i).encode(), headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 300:
                    failures.append(f"{response.status} from {url}")
                mine.append(time.perf_counter() - sent)
        except OSError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
            latencies.extend(mine)

    threads = [threading.Thread(target=send) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - start
    if failures or not latencies:
        raise SystemExit(f"posting to {url} failed: {failures[:1] or 'nothing was sent'} "
                         f"({len(failures)} failures)")
    ordered = sorted(latencies)
    quantiles = [ordered[min(len(ordered) - 1, int(i / 200 * len(ordered)))] * 1000
                 for i in range(1, 200)] + [ordered[-1] * 1000]
    return {"requests": len(ordered), "seconds": took, "quantiles_ms": quantiles}
