"""REST API for the rules of a process: each change is a new version of the process."""

from __future__ import annotations

import pytest

RULE = {"name": "No test leads", "when": {"ends_with": [{"field": "Email"}, ".test"]},
        "actions": [{"action": "skip"}]}


@pytest.fixture
def base(client, admin) -> str:
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    return f"/api/v1/processes/{process}/rules"


def test_add_list_get_replace_delete(client, admin, base):
    assert client.get(base, headers=admin).json == {"items": []}
    added = client.post(base, headers=admin, json={**RULE, "id": "no-test"})
    assert added.status_code == 201
    assert added.json["version"] == 2
    assert added.json["rule"] == {**RULE, "id": "no-test", "enabled": True, "source": None,
                                  "entity": None}
    second = client.post(f"{base}?position=0", headers=admin,
                         json={"name": "First", "actions": [{"action": "stop"}]}).json
    assert second["version"] == 3 and second["rule"]["name"] == "First"
    generated = second["rule"]["id"]
    assert [r["id"] for r in client.get(base, headers=admin).json["items"]] == [generated, "no-test"]

    replaced = client.put(f"{base}/no-test", headers=admin, json={**RULE, "enabled": False}).json
    assert replaced["version"] == 4 and replaced["rule"]["enabled"] is False
    assert client.get(f"{base}/no-test", headers=admin).json["enabled"] is False

    reordered = client.put(base, headers=admin, json=list(reversed(
        client.get(base, headers=admin).json["items"]))).json
    assert reordered["version"] == 5
    assert [r["id"] for r in reordered["items"]] == ["no-test", generated]

    deleted = client.delete(f"{base}/no-test", headers=admin)
    assert deleted.status_code == 200 and deleted.json["version"] == 6
    assert [r["id"] for r in client.get(base, headers=admin).json["items"]] == [generated]


def test_errors_about_the_rule_sent_are_relative_to_it(client, admin, base):
    r = client.post(base, headers=admin, json={"name": "Bad", "when": {"==": [{"path": "$.a#"}, 1]},
                                               "actions": [{"action": "stop"}]})
    assert r.status_code == 400
    assert r.json["message"] == ("when.==.0.path: Rule 'Bad': invalid JSONPath at column 4: "
                                 "unexpected character '#'.")
    r = client.put(f"{base}", headers=admin, json=[RULE, {"name": "x"}])
    assert r.json["message"] == "rules.1.actions: Missing data for required field."
    assert client.get(base, headers=admin).json == {"items": []}


@pytest.mark.parametrize("method,path,body,status,message", [
    ("get", "/nope", None, 404, "has no rule 'nope'."),
    ("put", "/nope", RULE, 404, "has no rule 'nope'."),
    ("delete", "/nope", None, 404, "has no rule 'nope'."),
    ("post", "", [RULE], 400, "_schema: A rule is a JSON object."),
    ("put", "", RULE, 400, "_schema: Send the rules as a JSON array, in order."),
    ("post", "?position=-1", RULE, 400, "position: Must be greater than or equal to 0 and less than "
                                         "or equal to 9223372036854775807."),
    ("post", "?position=first", RULE, 400, "position: Not a valid integer."),
])
def test_bad_requests(client, admin, base, method, path, body, status, message):
    r = getattr(client, method)(f"{base}{path}", headers=admin, json=body)
    assert r.status_code == status and r.json["message"].endswith(message)


def test_an_unknown_process_is_404(client, admin):
    r = client.get("/api/v1/processes/999999/rules", headers=admin)
    assert (r.status_code, r.json["message"]) == (404, "Process 999999 does not exist.")


def test_an_edit_from_a_version_no_longer_active_is_409_and_saves_nothing(client, admin, base):
    process_id = int(base.split("/")[4])
    assert client.post(base, headers=admin, json={**RULE, "id": "kept", "base_version": 1}
                       ).status_code == 201
    stale = {"code": 409, "status": "Conflict", "reason": "stale_version", "errors": [],
             "message": f"Process {process_id} changed since version 1 you edited (now version "
                        "2); reload and apply your change again."}
    for method, path, body in [("post", "", {**RULE, "base_version": 1}),
                               ("put", "/kept", {**RULE, "enabled": False, "base_version": 1}),
                               ("put", "?base_version=1", []),
                               ("delete", "/kept?base_version=1", None)]:
        r = getattr(client, method)(f"{base}{path}", headers=admin, json=body)
        assert (r.status_code, r.json) == (409, stale), (method, path)
    [kept] = client.get(base, headers=admin).json["items"]
    assert (kept["id"], kept["enabled"]) == ("kept", True)
    replaced = client.put(f"{base}/kept", headers=admin, json={**RULE, "base_version": 2})
    assert replaced.json["version"] == 3 and "base_version" not in replaced.json["rule"]
    assert client.delete(f"{base}/kept?base_version=3", headers=admin).json["version"] == 4
