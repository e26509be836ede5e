"""Each rule leaves a trace entry: matched or not, what it did, how long it took, or why skipped."""

from __future__ import annotations

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
