"""Helpers for process tests: definitions built from the stock steps, and dry runs of drafts."""

from __future__ import annotations

from typing import Any

STEPS = ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
FORM = "application/x-www-form-urlencoded"


def definition(options: dict[str, dict] | None = None, **parts: Any) -> dict[str, Any]:
    """The stock steps (with options for some), plus mappings, rules, overrides or active."""
    options = options or {}
    return {"steps": [{"name": name, "options": options.get(name, {})} for name in STEPS], **parts}


def draft_run(client, admin: dict, draft: dict, payload: dict, expect: int = 200, **extra: Any) -> dict:
    """Dry-run a payload through a draft definition; return the answer's JSON."""
    response = client.post("/api/v1/processes/dry-run", headers=admin,
                           json={"definition": draft, "payload": payload, **extra})
    assert response.status_code == expect, response.json
    return response.json


def step(answer: dict, name: str) -> dict:
    """The trace entry of one step."""
    [entry] = [e for e in answer["trace"] if e["step"] == name]
    return entry


def invalid(client, admin: dict, draft: Any) -> list[dict]:
    """The errors a draft definition is refused with (400), their paths relative to it."""
    answer = draft_run(client, admin, draft, {}, expect=400)
    assert answer["reason"] == "validation_failed"
    assert answer["message"] == f"{answer['errors'][0]['field']}: {answer['errors'][0]['message']}"
    assert all(e["field"].startswith("definition.") for e in answer["errors"])
    return [{**e, "field": e["field"].removeprefix("definition.")} for e in answer["errors"]]
