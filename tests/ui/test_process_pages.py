"""An admin edits the default process in a real browser: options, a rule, versions, a dry run."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from processes.models import Process, ProcessVersion
from tests.ui.conftest import log_in, shoot

BAD_RULE = {"name": "No test leads", "when": {"ends_with": [{"path": "$.Email#"}, ".test"]},
            "actions": [{"action": "skip"}]}
GOOD_RULE = {**BAD_RULE, "when": {"ends_with": [{"field": "Email"}, ".test"]}}
PAYLOAD = {"EntityName": "Contact", "Name": "Grace Hopper", "Email": "grace@navy.test"}


def active_number() -> int:
    process = Process.get(Process.is_default == True)  # noqa: E712
    return ProcessVersion.get_by_id(process.active_version).number


def test_admin_edits_the_default_process_and_dry_runs_a_payload(page, live):
    log_in(page, "ada")
    page.click("nav >> text=Processes")
    expect(page.locator("h1")).to_have_text("Processes")
    shoot(page, live, "processes")

    page.click("table a:has-text('default')")
    expect(page.locator("h1")).to_contain_text("default")
    before = active_number()
    resolve = page.locator("#step-resolve")
    resolve.locator("input[name=match_names]").check()
    resolve.locator("button:has-text('Save resolve')").click()
    expect(page.locator(".flash-ok")).to_have_text(f"Step resolve is saved as version {before + 1}.")
    expect(page.locator("#step-resolve input[name=match_names]")).to_be_checked()
    shoot(page, live, "process-steps")

    page.click("a.btn:has-text('Rules')")
    new = page.locator("#rule-new")
    new.locator("textarea").fill(json.dumps(BAD_RULE))
    new.locator("button:has-text('Add rule')").click()
    expect(page.locator("#rule-new .errors li")).to_have_text(
        "when.ends_with.0.path: Rule 'No test leads': invalid JSONPath at column 8: "
        "unexpected character '#'.")
    expect(page.locator("#rule-new textarea")).to_have_value(json.dumps(BAD_RULE))
    shoot(page, live, "rules-error")
    page.locator("#rule-new textarea").fill(json.dumps(GOOD_RULE))
    page.locator("#rule-new button:has-text('Add rule')").click()
    expect(page.locator(".flash-ok")).to_have_text(f"The rules are saved as version {before + 2}.")
    expect(page.locator("section.rule textarea").first).to_contain_text('"No test leads"')
    expect(page.locator(".errors")).to_have_count(0)
    shoot(page, live, "rules")

    page.click("a.btn:has-text('Versions')")
    expect(page.locator("tbody tr").first).to_contain_text(str(before + 2))
    expect(page.locator("tbody tr").first).to_contain_text("active")
    shoot(page, live, "process-versions")
    page.click(f"tbody a:text-is('{before + 1}')")
    expect(page.locator("h2#version-title")).to_contain_text(f"Version {before + 1}")
    shoot(page, live, "process-version")

    page.click("a.btn:has-text('Dry run')")
    page.fill("textarea[name=payload]", json.dumps(PAYLOAD))
    page.select_option("select[name=content_type]", "application/json")
    page.click("button:has-text('Run')")
    expect(page.locator("h2#result-title")).to_contain_text("no-record")
    steps = page.locator("ol.trace > li")
    expect(steps.locator(".trace-head b")).to_have_text([
        "1. dedupe", "2. parse", "3. map", "4. typecheck", "5. resolve", "6. rules", "7. result"])
    expect(steps.nth(5)).to_contain_text("No test leads")
    expect(page.locator("textarea[name=payload]")).to_have_value(json.dumps(PAYLOAD))
    shoot(page, live, "dry-run")
    assert active_number() == before + 2
