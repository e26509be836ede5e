"""Pages of processes: the list, steps and options, overrides and mappings, versions, dry run."""

from __future__ import annotations

import json

from processes.models import Process, ProcessVersion


def default() -> Process:
    return Process.get(Process.is_default == True)  # noqa: E712


def step_options(process: Process, name: str) -> tuple[bool, dict]:
    definition = ProcessVersion.get_by_id(process.active_version).definition
    step = next(s for s in definition["steps"] if s["name"] == name)
    return step["enabled"], step["options"]


def test_the_list_links_each_process(admin_ui):
    process = default()
    page = admin_ui.get("/processes")
    assert page.status_code == 200
    assert f'<a href="/processes/{process.id}">default</a>' in page.text
    assert '<a href="/processes">Processes</a>' in admin_ui.get("/").text


def test_the_page_shows_each_step_with_its_options(admin_ui):
    page = admin_ui.get(f"/processes/{default().id}").text
    for name in ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]:
        assert f'id="step-{name}"' in page
    assert '<input type="checkbox" name="match_names"> match_names' in page
    assert '<option selected>merge</option>' in page


def test_saving_a_step_makes_a_new_version_with_its_options(admin_ui):
    process = default()
    index = 4
    response = admin_ui.submit(f"/processes/{process.id}/steps/{index}",
                               {"enabled": "on", "match_names": "on", "unknown": "reject",
                                "defaults": "{}"})
    assert response.status_code == 302
    process = Process.get_by_id(process.id)
    assert step_options(process, "resolve") == (True, {"match_names": True, "unknown": "reject",
                                                       "defaults": {}})
    assert ProcessVersion.get_by_id(process.active_version).number == 2
    page = admin_ui.get(f"/processes/{process.id}").text
    assert "Step resolve is saved as version 2." in page
    assert '<input type="checkbox" name="match_names" checked> match_names' in page


def test_a_bad_option_is_shown_at_its_field(admin_ui):
    process = default()
    response = admin_ui.submit(f"/processes/{process.id}/steps/3",
                               {"enabled": "on", "date_formats": "not json", "max_length": "x",
                                "invalid_optional": "fail"})
    assert response.status_code == 400
    assert '<small class="error">Not a valid list.</small>' in response.text
    assert '<small class="error">Not a valid integer.</small>' in response.text
    assert Process.get_by_id(process.id).active_version == process.active_version


def test_switching_a_step_off_and_reordering(admin_ui):
    process = default()
    form = {"window_seconds": "10", "scope": "forms"}
    assert admin_ui.submit(f"/processes/{process.id}/steps/0", form).status_code == 302
    assert step_options(Process.get_by_id(process.id), "dedupe")[0] is False
    assert admin_ui.submit(f"/processes/{process.id}/steps/0/move/down").status_code == 302
    names = [s["name"] for s in ProcessVersion.get_by_id(
        Process.get_by_id(process.id).active_version).definition["steps"]]
    assert names[:2] == ["parse", "dedupe"]
    admin_ui.submit(f"/processes/{process.id}/steps/3/move/up")
    page = admin_ui.get(f"/processes/{process.id}").text
    assert "Step &#39;typecheck&#39; needs the entity, so it comes after &#39;map&#39;." in page
    assert ProcessVersion.get_by_id(Process.get_by_id(process.id).active_version).number == 3
    admin_ui.submit(f"/processes/{process.id}/steps/6/move/down")
    assert "That step cannot move that way." in admin_ui.get(f"/processes/{process.id}").text
    assert admin_ui.submit(f"/processes/{process.id}/steps/0/move/sideways").status_code == 404


def test_overrides_are_saved_and_their_faults_shown_by_path(admin_ui):
    process = default()
    bad = [{"entity": "Lead", "step": "resolve", "options": {"match_names": "maybe"}}]
    response = admin_ui.submit(f"/processes/{process.id}/overrides", {"overrides": json.dumps(bad)})
    assert response.status_code == 400
    assert '<li class="error"><span class="mono">0.options.match_names</span>: Not a valid boolean.</li>' \
        in response.text
    good = [{"entity": "Lead", "step": "resolve", "options": {"match_names": True}}]
    response = admin_ui.submit(f"/processes/{process.id}/overrides", {"overrides": json.dumps(good)})
    assert response.status_code == 302
    definition = ProcessVersion.get_by_id(Process.get_by_id(process.id).active_version).definition
    assert definition["overrides"] == [{"source": None, "entity": "Lead", "step": "resolve",
                                        "enabled": None, "options": {"match_names": True}}]


def test_mappings_that_are_not_json_are_refused(admin_ui):
    process = default()
    response = admin_ui.submit(f"/processes/{process.id}/mappings", {"mappings": "[{"})
    assert response.status_code == 400
    assert "Not JSON: Expecting property name enclosed in double quotes: line 1 column 3 (char 2)." \
        in response.text
    assert "[{</textarea>" in response.text


def test_versions_list_view_and_activate(admin_ui):
    process = default()
    admin_ui.submit(f"/processes/{process.id}/steps/0", {})
    page = admin_ui.get(f"/processes/{process.id}/versions").text
    assert page.count('<span class="badge badge-active">active</span>') == 1
    assert f'action="/processes/{process.id}/versions/1/activate"' in page
    shown = admin_ui.get(f"/processes/{process.id}/versions/1").text
    assert "Version 1" in shown and "&#34;dedupe&#34;" in shown
    response = admin_ui.submit(f"/processes/{process.id}/versions/1/activate")
    assert response.status_code == 302
    assert Process.get_by_id(process.id).active_version == process.active_version
    assert admin_ui.get(f"/processes/{process.id}/versions/9").status_code == 404


def test_dry_run_shows_the_trace_and_the_record_it_would_write(admin_ui):
    process = default()
    payload = {"EntityName": "Contact", "Name": "Katherine Johnson", "Email": "kj@nasa.gov"}
    response = admin_ui.submit(f"/processes/{process.id}/dry-run",
                               {"payload": json.dumps(payload), "source": "",
                                "content_type": "application/json"})
    assert response.status_code == 200
    assert '<span class="badge badge-processed">processed</span>' in response.text
    assert response.text.count('<div class="trace-head"><b>') == 7
    assert "<b>create</b> Contact" in response.text


def test_dry_run_refuses_a_payload_that_is_not_an_object(admin_ui):
    process = default()
    response = admin_ui.submit(f"/processes/{process.id}/dry-run",
                               {"payload": "[1]", "content_type": "application/json"})
    assert response.status_code == 400
    assert '<small class="error">Not a valid mapping type.</small>' in response.text
    response = admin_ui.submit(f"/processes/{process.id}/dry-run",
                               {"payload": "{", "content_type": "text/plain"})
    assert "Not JSON: Expecting property name enclosed in double quotes" in response.text


def test_viewers_are_refused(viewer_ui):
    assert viewer_ui.get("/processes").status_code == 403
    assert viewer_ui.get(f"/processes/{default().id}/dry-run").status_code == 403


def stale_message(process: Process) -> str:
    return (f'<p class="flash flash-error" role="status">Process {process.id} changed since '
            "version 1 you edited (now version 2); reload and apply your change again.</p>")


def test_every_editing_form_names_the_version_it_shows(admin_ui):
    process = default()
    admin_ui.submit(f"/processes/{process.id}/mappings", {"mappings": "[]"})
    page = admin_ui.get(f"/processes/{process.id}").text
    forms = page.count('<form method="post"') + page.count('<form class="inline" method="post"')
    assert forms == 7 + 2 + 6 * 2
    assert page.count('<input type="hidden" name="base_version" value="2">') == forms


def test_a_stale_form_shows_why_and_saves_nothing(admin_ui):
    process = default()
    assert admin_ui.submit(f"/processes/{process.id}/steps/0/move/down",
                           {"base_version": "1"}).status_code == 302
    for url, form in [(f"/processes/{process.id}/steps/4", {"enabled": "on", "match_names": "on",
                                                             "base_version": "1"}),
                      (f"/processes/{process.id}/steps/1/move/up", {"base_version": "1"}),
                      (f"/processes/{process.id}/overrides", {"overrides": "[]",
                                                               "base_version": "1"}),
                      (f"/processes/{process.id}/mappings", {"mappings": "[]", "base_version": "1"})]:
        response = admin_ui.submit(url, form)
        assert response.status_code == 409, url
        assert stale_message(process) in response.text
        assert '<input type="hidden" name="base_version" value="2">' in response.text
    assert ProcessVersion.select().where(ProcessVersion.process == process).count() == 2
    assert step_options(Process.get_by_id(process.id), "resolve")[1]["match_names"] is False
