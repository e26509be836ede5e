"""The bench's posting client, against the bench's receiver on 127.0.0.1."""

from __future__ import annotations

from bench import pacing
from bench.receiver import Receiver


def test_posts_each_body_once_and_summarizes_like_wrk():
    receiver = Receiver()
    sizes = []

    def body(i: int) -> str:
        sizes.append(i)
        return "x" * (i + 1)

    summary = pacing.post(receiver.url, body, {"Content-Type": "text/plain"}, 3, count=40)

    assert summary["requests"] == 40
    assert receiver.count == 40
    assert sorted(sizes) == list(range(40))
    assert len(summary["quantiles_ms"]) == 200
    assert summary["quantiles_ms"] == sorted(summary["quantiles_ms"])


def test_a_paced_run_sends_the_count_asked_for():
    receiver = Receiver()

    summary = pacing.post(receiver.url, lambda i: "{}", {"Content-Type": "application/json"},
                          2, count=10, rate=500)

    assert summary["requests"] == 10
    assert receiver.count == 10
    assert receiver.last_size == 2
