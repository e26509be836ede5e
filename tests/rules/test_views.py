"""The rules editor page: each rule as JSON, the service's messages shown at the rule they name."""

from __future__ import annotations

import json

from processes.models import Process, ProcessVersion
from rules import service

RULE = {"name": "No test leads", "when": {"ends_with": [{"field": "Email"}, ".test"]},
        "actions": [{"action": "skip"}]}


def default() -> Process:
    return Process.get(Process.is_default == True)  # noqa: E712


def test_add_a_rule_then_edit_and_delete_it(admin_ui):
    process = default()
    base = f"/processes/{process.id}/rules"
    assert "No rules yet." in admin_ui.get(base).text
    response = admin_ui.submit(base, {"rule": json.dumps({**RULE, "id": "no-test"})})
    assert (response.status_code, response.headers["Location"]) == (302, base)
    page = admin_ui.get(base).text
    assert "The rules are saved as version 2." in page
    assert 'id="rule-no-test"' in page and "&#34;No test leads&#34;" in page
    response = admin_ui.submit(f"{base}/no-test", {"rule": json.dumps({**RULE, "enabled": False})})
    assert response.status_code == 302
    assert service.get_rule(Process.get_by_id(process.id), "no-test")["enabled"] is False
    response = admin_ui.submit(f"{base}/no-test/delete")
    assert response.status_code == 302
    assert service.rules_of(Process.get_by_id(process.id)) == []
    assert ProcessVersion.get_by_id(Process.get_by_id(process.id).active_version).number == 4


def test_a_fault_is_shown_at_the_rule_it_names_with_the_text_kept(admin_ui):
    process = default()
    base = f"/processes/{process.id}/rules"
    admin_ui.submit(base, {"rule": json.dumps({**RULE, "id": "first"})})
    bad = json.dumps({"name": "Bad", "when": {"==": [{"path": "$.a#"}, 1]},
                      "actions": [{"action": "stop"}]})
    response = admin_ui.submit(f"{base}/first", {"rule": bad})
    assert response.status_code == 400
    rule = response.text.split('id="rule-first"')[1].split("</section>")[0]
    assert ('<li class="error"><span class="mono">when.==.0.path</span>: Rule &#39;Bad&#39;: '
            "invalid JSONPath at column 4: unexpected character &#39;#&#39;.</li>") in rule
    assert "$.a#" in rule
    new = response.text.split('id="rule-new"')[1]
    assert 'class="error"' not in new
    assert service.get_rule(Process.get_by_id(process.id), "first")["name"] == "No test leads"


def test_a_new_rule_that_is_not_json_or_not_an_object_is_refused_at_the_new_rule(admin_ui):
    base = f"/processes/{default().id}/rules"
    response = admin_ui.submit(base, {"rule": '{"name": '})
    assert response.status_code == 400
    new = response.text.split('id="rule-new"')[1]
    assert '<li class="error">Not JSON: Expecting value: line 1 column 10 (char 9).</li>' in new
    response = admin_ui.submit(base, {"rule": "[]"})
    assert '<li class="error">A rule is a JSON object.</li>' in response.text
    response = admin_ui.submit(base, {"rule": json.dumps({"name": "x"})})
    assert ('<li class="error"><span class="mono">actions</span>: Missing data for required '
            "field.</li>") in response.text


def test_moving_a_rule_reorders_the_list(admin_ui):
    process = default()
    base = f"/processes/{process.id}/rules"
    for rule_id in ("first", "second"):
        admin_ui.submit(base, {"rule": json.dumps({**RULE, "id": rule_id})})
    page = admin_ui.get(base).text
    assert f'action="{base}/first/move/down"' in page and f"{base}/first/move/up" not in page
    response = admin_ui.submit(f"{base}/second/move/up")
    assert (response.status_code, response.headers["Location"]) == (302, base)
    assert [r["id"] for r in service.rules_of(Process.get_by_id(process.id))] == ["second", "first"]
    assert "The rules are reordered as version 4." in admin_ui.get(base).text
    assert admin_ui.submit(f"{base}/second/move/sideways").status_code == 404


def test_an_unknown_rule_is_not_found(admin_ui):
    base = f"/processes/{default().id}/rules"
    assert admin_ui.submit(f"{base}/nope", {"rule": json.dumps(RULE)}).status_code == 404
    assert admin_ui.submit(f"{base}/nope/delete").status_code == 404
    assert admin_ui.get("/processes/99/rules").status_code == 404


def test_viewers_are_refused(viewer_ui):
    assert viewer_ui.get(f"/processes/{default().id}/rules").status_code == 403


def test_a_rule_with_nan_or_deep_nesting_is_refused_as_not_json(admin_ui):
    base = f"/processes/{default().id}/rules"
    response = admin_ui.submit(base, {"rule": '{"name": NaN}'})
    assert response.status_code == 400
    assert ('<li class="error">Not JSON: NaN is not a JSON value: line 1 column 10 (char 9).</li>'
            in response.text)
    response = admin_ui.submit(base, {"rule": '{"when": ' * 5000 + "1" + "}" * 5000})
    assert response.status_code == 400
    assert ('<li class="error">Not JSON: The JSON nests deeper than 64 levels: line 1 column 577 '
            "(char 576).</li>") in response.text


def test_a_stale_rules_form_shows_why_and_saves_nothing(admin_ui):
    process = default()
    base = f"/processes/{process.id}/rules"
    admin_ui.submit(base, {"rule": json.dumps({**RULE, "id": "kept"}), "base_version": "1"})
    page = admin_ui.get(base).text
    assert page.count('<input type="hidden" name="base_version" value="2">') == 3
    message = (f'<p class="flash flash-error" role="status">Process {process.id} changed since '
               "version 1 you edited (now version 2); reload and apply your change again.</p>")
    for url, form in [(base, {"rule": json.dumps(RULE)}),
                      (f"{base}/kept", {"rule": json.dumps({**RULE, "enabled": False})}),
                      (f"{base}/kept/delete", {}),
                      (f"{base}/kept/move/up", {})]:
        response = admin_ui.submit(url, {**form, "base_version": "1"})
        assert response.status_code == 409, url
        assert message in response.text and 'id="rule-kept"' in response.text
    assert [r["id"] for r in service.rules_of(Process.get_by_id(process.id))] == ["kept"]
    assert service.get_rule(Process.get_by_id(process.id), "kept")["enabled"] is True
    assert ProcessVersion.select().where(ProcessVersion.process == process).count() == 2
