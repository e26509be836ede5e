"""Push connections and hubs in a real browser: create, enable, test, deliver, read the log."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from integrations.inbound.sources import create_source
from integrations.push.delivery import DeliveryAttempt
from tests.e2e.conftest import wait_for
from tests.ui.conftest import log_in, shoot


def test_admin_pushes_a_webhook_to_a_receiver(page, live, receiver):
    server = receiver()
    server.expect_request("/hook").respond_with_json({"ok": True})
    with live.app.app_context():
        key = create_source("shop")[1]
    log_in(page, "ada")

    page.click("nav >> text=Push")
    expect(page.locator("h1")).to_have_text("Push connections")
    page.click("a:has-text('New connection')")
    page.fill("input[name=name]", "crm")
    page.fill("input[name=url]", server.url_for("/hook"))
    page.fill("input[name=event_types]", "webhook.received")
    page.fill("textarea[name=headers]", "X-Team: sales")
    shoot(page, live, "push-new")
    page.click("button:has-text('Create connection')")
    expect(page.locator("h1")).to_contain_text("crm disabled")
    assert page.locator("#shown-secret").inner_text().startswith("whsec_")
    shoot(page, live, "push-created")

    page.click("button:has-text('Enable')")
    expect(page.locator("h1")).to_contain_text("crm enabled")
    expect(page.locator("#shown-secret")).to_have_count(0)
    page.click("button:has-text('Test')", no_wait_after=True)
    result = page.locator(".test-result dd")
    expect(result.nth(0)).to_have_text("ok 200")
    expect(result.nth(2)).to_have_text("—")
    shoot(page, live, "push-test")

    status, answer = live.post(f"/webhooks/{key}", json.dumps({"Name": "Ann"}).encode(),
                               "application/json")
    assert status == 200, answer
    wait_for(lambda: DeliveryAttempt.select().where(
        DeliveryAttempt.event_type == "webhook.received", DeliveryAttempt.succeeded).exists(),
        "the worker to deliver webhook.received")
    page.click("text=Delivery log")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("webhook.received")
    expect(rows.nth(0)).to_contain_text("succeeded")
    expect(rows.nth(1)).to_contain_text("ping")
    page.select_option("select[name=status]", "succeeded")
    page.fill("input[name=event_type]", "webhook.received")
    page.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    shoot(page, live, "push-log")

    rows.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("succeeded")
    expect(page.locator("pre.code").first).to_contain_text('"X-Team": "sales"')
    expect(page.locator("pre.code").nth(1)).to_contain_text('"type": "webhook.received"')
    shoot(page, live, "push-attempt")
    request = server.log[-1][0]
    assert request.headers["X-Team"] == "sales" and request.get_json()["type"] == "webhook.received"

    page.click("nav >> text=Push")
    expect(page.locator("tbody tr", has_text="crm")).to_contain_text("enabled")
    shoot(page, live, "push-connections")


def test_admin_sets_up_a_hub_and_tests_a_destination(page, live, receiver):
    server = receiver()
    server.expect_request("/loans").respond_with_data("ok")
    log_in(page, "ada")
    page.click("nav >> text=Hubs")
    page.fill("input[name=name]", "lightico")
    page.fill("input[name=description]", "Loan documents")
    page.click("button:has-text('Create hub')")
    expect(page.locator("h1")).to_have_text("lightico")
    assert page.locator("#shown-secret").inner_text().startswith("hhk")
    assert page.locator("#shown-client-id").inner_text().startswith("hub_")
    shoot(page, live, "hub-created")

    page.fill("input[name=event_type]", "record.created")
    page.fill("form[action$='/destinations'] input[name=url]", server.url_for("/loans"))
    page.fill("input[name=username]", "loans")
    page.fill("input[name=password]", "s3cret")
    page.click("button:has-text('Save destination')")
    row = page.locator("tbody tr", has_text="record.created")
    expect(row).to_contain_text("basic: loans")
    row.locator("button:has-text('Test')").click(no_wait_after=True)
    expect(page.locator(".test-result dd").first).to_have_text("ok 200")
    assert server.log[-1][0].headers["Authorization"] == "Basic bG9hbnM6czNjcmV0"
    shoot(page, live, "hub")

    page.click("nav >> text=Hubs")
    expect(page.locator("tbody tr", has_text="lightico")).to_contain_text("Loan documents")
    shoot(page, live, "hubs")
