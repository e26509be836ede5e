"""Each rule leaves a trace entry: matched or not, what it did, how long it took, or why skipped."""

from __future__ import annotations

import json
import time

from tests.processes.helpers import definition, draft_run, step


def test_every_rule_leaves_a_trace_entry(client, admin):
    source = client.post("/api/v1/sources", headers=admin, json={"name": "s"}).json["id"]
    rules = [
        {"id": "off", "name": "Off", "enabled": False, "actions": [{"action": "skip"}]},
        {"id": "leads", "name": "Leads only", "entity": "Lead", "actions": [{"action": "skip"}]},
        {"id": "other", "name": "Other source", "source": source, "actions": [{"action": "skip"}]},
        {"id": "slow", "name": "Slow pattern", "when": {"matches": [{"path": "$.t"}, "(a|aa)+$"]},
         "actions": [{"action": "skip"}]},
        {"id": "job", "name": "Job", "actions": [{"action": "set", "field": "JobTitle", "value": "CEO"}]},
    ]
    answer = draft_run(client, admin, definition(rules=rules),
                       {"EntityName": "Contact", "Name": "A", "t": "a" * 40 + "b"})
    entries = step(answer, "rules")["rules"]
    assert all(isinstance(e.pop("ms"), float) for e in entries[3:])
    assert entries == [
        {"rule": "off", "name": "Off", "matched": False, "skipped": "disabled"},
        {"rule": "leads", "name": "Leads only", "matched": False, "skipped": "another source or entity"},
        {"rule": "other", "name": "Other source", "matched": False,
         "skipped": "another source or entity"},
        {"rule": "slow", "name": "Slow pattern", "matched": False,
         "notes": ["pattern '(a|aa)+$' timed out after 50 ms: no match"]},
        {"rule": "job", "name": "Job", "matched": True,
         "actions": [{"action": "set", "field": "JobTitle", "from": None, "to": "CEO"}]}]
    assert answer["status"] == "processed"


def test_the_regex_timeout_comes_from_the_configuration(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "RULES_REGEX_TIMEOUT_MS", 5)
    monkeypatch.setitem(app.config, "RULES_REGEX_MAX_SUBJECT", 20)
    rules = [{"name": "p", "when": {"matches": [{"path": "$.t"}, "a"]}, "actions": [{"action": "stop"}]}]
    answer = draft_run(client, admin, definition(rules=rules), {"EntityName": "Lead", "t": "a" * 21})
    assert step(answer, "rules")["rules"][0]["notes"] == ["subject longer than 20 characters: no match"]


SLOW = "(a|aa)+$"
SLOWLY = "a" * 40 + "b"


def save_rules(client, admin, rules: list[dict]) -> None:
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    saved = client.put(f"/api/v1/processes/{process}/definition", headers=admin,
                       json=definition(rules=rules))
    assert saved.status_code == 201, saved.json


def timed(call):
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < 5.0
    assert response.status_code == 200, response.json
    return response.json


def test_one_regex_timeout_covers_every_value_of_a_list(client, admin, source_key):
    save_rules(client, admin, [{"id": "slow", "name": "Slow", "when": {
        "matches": [{"path": "$.t"}, SLOW]}, "actions": [{"action": "skip"}]}])
    payload = {"EntityName": "Lead", "t": [SLOWLY] * 100}
    assert len(json.dumps(payload)) < 5000
    out = timed(lambda: client.post(f"/webhooks/{source_key}", json=payload))
    assert out["status"] == "processed"
    trace = client.get(f"/api/v1/webhooks/{out['id']}", headers=admin).json["trace"]
    [entry] = step({"trace": trace}, "rules")["rules"]
    assert entry["notes"] == [f"pattern '{SLOW}' timed out after 50 ms: no match"]
    assert entry["ms"] < 1000
    again = timed(lambda: client.post(f"/api/v1/webhooks/{out['id']}/reprocess", headers=admin))
    assert again["status"] == "processed"


def test_the_rules_share_a_time_budget_per_webhook(app, client, admin, source_key, monkeypatch):
    monkeypatch.setitem(app.config, "RULES_REGEX_TIMEOUT_MS", 10_000)
    monkeypatch.setitem(app.config, "RULES_TIME_BUDGET_MS", 100)
    save_rules(client, admin, [
        {"id": f"r{i}", "name": f"Slow {i}", "when": {"matches": [{"path": "$.t"}, SLOW]},
         "actions": [{"action": "skip"}]} for i in range(3)])
    payload = {"EntityName": "Lead", "t": SLOWLY * 2}
    error = {"field": "_rules", "value": "Slow 0",
             "message": "Rule 'Slow 0' was stopped: the rules took longer than their time budget "
                        "of 100 ms."}
    out = timed(lambda: client.post(f"/webhooks/{source_key}", json=payload))
    assert out == {"id": out["id"], "status": "failed", "records": [], "errors": [error]}
    trace = client.get(f"/api/v1/webhooks/{out['id']}", headers=admin).json["trace"]
    assert step({"trace": trace}, "rules")["rules"] == [
        {"rule": "r0", "name": "Slow 0", "matched": False, "stopped": error["message"]},
        {"rule": "r1", "name": "Slow 1", "matched": False,
         "skipped": "the rules' time budget was spent"},
        {"rule": "r2", "name": "Slow 2", "matched": False,
         "skipped": "the rules' time budget was spent"}]
    again = timed(lambda: client.post(f"/api/v1/webhooks/{out['id']}/reprocess", headers=admin))
    assert again["status"] == "failed" and again["diff"]["errors"]["to"] == [error]
