"""Per-webhook processing cost with 0, 10 and 100 rules, relative to 0 rules, in one run.

    .venv/bin/python bench/rule_cost.py [--batch 25] [--rounds 40] [--database-url URL]

Two figures per rule count, each the median over small batches that take turns between the
rule counts (so drift and neighbours on a shared machine touch all three alike), in CPU time
of this process per webhook:
- pipeline: the process alone over a parsed payload (what a dry run does; no database writes);
- inline: POST /webhooks/<key> through the app (store, process, write the record, answer).
Each rule tests two conditions (a JSONPath comparison and a field check); one rule in ten
matches and sets a field from a template, so both the misses and the hits are paid for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app, init_database  # noqa: E402

COUNTS = (0, 10, 100)
STEPS = ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]


def rules(count: int) -> list[dict]:
    """`count` rules; every tenth one matches the benchmark's payload."""
    return [{"id": f"r{i}", "name": f"Rule {i}",
             "when": {"all": [{"==": [{"path": "$.campaign"}, "spring" if i % 10 == 9 else f"c{i}"]},
                              {"exists": {"field": "Email"}}]},
             "actions": [{"action": "set", "field": "JobTitle", "template": f"rule {i}: {{first}}"}]}
            for i in range(count)]


def payload(n: int) -> dict:
    return {"EntityName": "Contact", "Name": f"Ada {n}", "first": "Ada", "Email": f"ada{n}@example.com",
            "Age": "36", "campaign": "spring", "utm_source": "google"}


def setup(app) -> dict[int, dict]:
    """A source and a process per rule count."""
    from integrations.inbound.sources import create_source
    from processes import definitions

    out = {}
    for count in COUNTS:
        source, key = create_source(f"bench-{count}")
        definitions.create_process({
            "name": f"bench {count} rules", "is_default": False, "sources": [source.id],
            "definition": {"steps": [{"name": s} for s in STEPS], "rules": rules(count)}})
        out[count] = {"source": source.id, "key": key}
    return out


def pipeline_cost(source_id: int, webhooks: int) -> float:
    """Microseconds per webhook for the process alone."""
    from processes import definitions, pipeline
    from processes.context import Context

    process = definitions.for_source(source_id)
    started = time.process_time()
    for n in range(webhooks):
        ctx = Context(payload=payload(n), source_id=source_id)
        pipeline.run(ctx, process)
        assert pipeline.outcome(ctx).value == "processed", ctx.errors
    return (time.process_time() - started) / webhooks * 1e6


def inline_cost(client, key: str, webhooks: int, offset: int) -> float:
    """Microseconds per webhook for a POST processed inline, record written."""
    started = time.process_time()
    for n in range(webhooks):
        response = client.post(f"/webhooks/{key}", json=payload(offset + n))
        assert response.status_code == 200 and response.json["status"] == "processed", response.json
    return (time.process_time() - started) / webhooks * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=25, help="webhooks per batch")
    parser.add_argument("--rounds", type=int, default=40, help="batches per rule count")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hookhub-bench-")
    try:
        app = create_app({"DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.db",
                          "DATA_DIR": folder})
        with app.app_context():
            init_database()
            sources = setup(app)
            client = app.test_client()
            for count in COUNTS:
                pipeline_cost(sources[count]["source"], 20)
                inline_cost(client, sources[count]["key"], 20, -20)
            pipe: dict[int, list[float]] = {c: [] for c in COUNTS}
            inline: dict[int, list[float]] = {c: [] for c in COUNTS}
            for round_ in range(args.rounds):
                for count in COUNTS[round_ % 3:] + COUNTS[:round_ % 3]:
                    pipe[count].append(pipeline_cost(sources[count]["source"], args.batch))
                    inline[count].append(inline_cost(client, sources[count]["key"], args.batch,
                                                     round_ * args.batch))
        base_pipe, base_inline = statistics.median(pipe[0]), statistics.median(inline[0])
        print(f"{app.config['DATABASE_URL'].split(':')[0]}: {args.rounds} batches of {args.batch} webhooks "
              "per rule count; median CPU µs per webhook")
        print(f"{'rules':>5}  {'pipeline µs':>11}  {'relative':>8}  {'inline µs':>9}  {'relative':>8}")
        for count in COUNTS:
            p, i = statistics.median(pipe[count]), statistics.median(inline[count])
            print(f"{count:>5}  {p:>11.0f}  {p / base_pipe:>7.2f}x  {i:>9.0f}  {i / base_inline:>7.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
