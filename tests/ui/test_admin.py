"""An admin's day, in a real browser against a real server: source, webhook, inbox, fix, reprocess."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from integrations.inbound.models import Webhook
from processes.models import Record
from tests.ui.conftest import log_in, shoot

SENDER_CANADA = "f8af0e88-f36b-1410-fa98-00155d043204"
LEAD = {"Contact": "New user", "Email": "new_user@gmail.com", "MobilePhone": "+1 617 221 5187",
        "CountryId": SENDER_CANADA, "EntityName": "Lead"}


def test_admin_receives_fixes_and_reprocesses_a_webhook(page, live):
    page.goto("/")
    expect(page).to_have_url(f"{live.url}/login?next=/")
    shoot(page, live, "login")
    log_in(page, "ada")
    expect(page.locator("h1")).to_have_text("Dashboard")

    page.click("nav >> text=Sources")
    page.fill("input[name=name]", "landing-page")
    page.click("button:has-text('Create source')")
    expect(page.locator("h1")).to_have_text("landing-page")
    key = page.locator("#shown-secret").inner_text()
    url = page.locator("#shown-url").inner_text()
    assert url == f"{live.url}/webhooks/{key}"
    shoot(page, live, "source-key")

    status, answer = live.post(f"/webhooks/{key}", json.dumps(LEAD).encode(), "application/json")
    assert status == 200
    assert answer["status"] == "failed"
    assert answer["errors"] == [{"field": "CountryId", "value": SENDER_CANADA,
                                 "message": f"No row with id '{SENDER_CANADA}' in lookup 'Countries'."}]
    webhook_id = answer["id"]
    form = b"EntityName=Contact&Name=Katherine+Johnson&Email=kj%40nasa.gov&Age=101"
    status, contact = live.post(f"/webhooks/{key}", form, "application/x-www-form-urlencoded")
    assert (status, contact["status"]) == (200, "processed")
    status, stray = live.post(f"/webhooks/{key}", b'{"Name": "no entity"}', "application/json")
    assert (status, stray["status"]) == (200, "no-record")

    page.click("nav >> text=Sources")
    expect(page.locator("tbody tr", has_text="landing-page").locator("td.num")).to_have_text("3")
    shoot(page, live, "sources")

    page.click("nav >> text=Inbox")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    page.select_option("select[name=status]", "failed")
    page.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"#{webhook_id}")
    expect(rows.first).to_contain_text("CountryId: No row with id")
    shoot(page, live, "inbox")

    page.click(f"text=#{webhook_id}")
    expect(page.locator("h1")).to_contain_text(f"Webhook #{webhook_id} failed")
    errors = page.locator("table.field-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_have_text(
        f"CountryId{SENDER_CANADA}No row with id '{SENDER_CANADA}' in lookup 'Countries'.")
    steps = page.locator("ol.trace > li")
    expect(steps.locator(".trace-head b")).to_have_text([
        "1. dedupe", "2. parse", "3. map", "4. typecheck", "5. resolve", "6. rules", "7. create"])
    expect(steps.nth(4)).to_have_class("bad")
    expect(steps.nth(4)).to_contain_text("5. resolve failed")
    shoot(page, live, "webhook-failed")

    page.click("nav >> text=Lookups")
    page.click("a:has-text('Countries')")
    page.fill("input[name=q]", "canada")
    page.click("button:has-text('Search')")
    expect(page.locator("table.rows tbody tr")).to_have_count(1)
    page.fill("input[name=id]", SENDER_CANADA)
    page.fill("form[action$='/rows'] input[name=name]", "Canada (sender)")
    page.fill("form[action$='/rows'] input[name=aliases]", "CA-sender")
    page.click("button:has-text('Add row')")
    expect(page.locator(".flash-ok")).to_have_text(f"Row Canada (sender) ({SENDER_CANADA}) is added.")
    shoot(page, live, "lookup")

    page.goto(f"/inbox/{webhook_id}")
    page.click("button:has-text('Reprocess')")
    [record_id] = Webhook.get_by_id(webhook_id).record_ids
    expect(page.locator(".flash-ok")).to_have_text(
        f"Webhook #{webhook_id} was reprocessed: processed; record {record_id} created.")
    expect(page.locator("h1")).to_contain_text("processed")
    expect(page.locator("table.field-errors")).to_have_count(0)
    shoot(page, live, "webhook-processed")

    page.click(f"a[href='/records/{record_id}']")
    expect(page.locator("h1")).to_have_text("New user")
    fields = page.locator("table.record-fields tr")
    expect(fields.filter(has_text="Country").locator("td")).to_have_text(
        f"Canada (sender) {SENDER_CANADA}")
    expect(fields.filter(has_text="Email").locator("td")).to_have_text("new_user@gmail.com")
    shoot(page, live, "record")
    assert Record.select().where(Record.webhook == webhook_id).count() == 1

    page.goto("/")
    expect(page.locator("#webhook_counts")).to_contain_text("3total")
    bars = page.locator("svg.chart rect")
    expect(bars).to_have_count(2)
    expect(bars.first.locator("title")).to_have_text(re.compile(r"^\d\d-\d\d: 2 processed$"))
    shoot(page, live, "dashboard")


def test_admin_edits_entities_and_lookups(page, live, tmp_path):
    log_in(page, "ada")
    page.click("nav >> text=Entities")
    page.fill("input[name=code]", "Ticket")
    page.fill("input[name=caption]", "Support ticket")
    page.click("button:has-text('Create entity')")
    expect(page.locator(".flash-ok")).to_have_text(
        "Entity Ticket is created with an Id field; add its fields below.")
    page.fill("form[action$='/fields'] input[name=code]", "Subject")
    page.check("form[action$='/fields'] input[name=required]")
    page.click("button:has-text('Add field')")
    page.fill("form[action$='/fields'] input[name=code]", "Country")
    page.select_option("form[action$='/fields'] select[name=lookup]", "Countries")
    page.click("button:has-text('Add field')")
    expect(page.locator("#err-code")).to_have_text("A lookup field's code must end with 'Id'.")
    page.fill("form[action$='/fields'] input[name=code]", "CountryId")
    page.select_option("form[action$='/fields'] select[name=net_type]", "System.Guid")
    page.click("button:has-text('Add field')")
    rows = page.locator("table.fields tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("CountryId")
    page.fill("input[aria-label='Caption of Subject']", "Ticket subject")
    page.locator("table.fields tbody tr", has_text="Subject").locator("button:has-text('Save')").click()
    expect(page.locator(".flash-ok")).to_have_text("Field Subject is saved.")
    expect(page.locator("input[aria-label='Caption of Subject']")).to_have_value("Ticket subject")
    shoot(page, live, "entity")

    page.click("nav >> text=Lookups")
    page.fill("input[name=code]", "Industries")
    page.click("button:has-text('Create lookup')")
    upload = tmp_path / "industries.csv"
    upload.write_text("id,name,aliases\nsaas,Software,software|SaaS\nretail,Retail,shops\n")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button:has-text('Import')")
    expect(page.locator(".flash-ok")).to_have_text(
        "Imported industries.csv: 2 created, 0 updated, 0 removed.")
    expect(page.locator("table.rows tbody tr")).to_have_count(2)
    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert download.value.path().read_bytes() == (
        b"id,name,aliases\r\nretail,Retail,shops\r\nsaas,Software,software|SaaS\r\n")
    page.fill("input[aria-label='Name of retail']", "Retail and e-commerce")
    page.locator("table.rows tbody tr", has_text="retail").locator("button:has-text('Save')").click()
    expect(page.locator("input[aria-label='Name of retail']")).to_have_value("Retail and e-commerce")
    page.locator("table.rows tbody tr", has_text="saas").locator("button:has-text('Remove')").click()
    expect(page.locator("table.rows tbody tr")).to_have_count(1)
    page.goto("/lookups")
    shoot(page, live, "lookups")
    page.goto("/entities")
    shoot(page, live, "entities")


def test_admin_manages_tokens_and_users(page, live):
    log_in(page, "ada")
    page.click("nav >> text=API tokens")
    page.fill("input[name=name]", "crm-sync")
    page.select_option("select[name=role]", "viewer")
    page.click("button:has-text('Create token')")
    token = page.locator("#shown-secret").inner_text()
    assert token.startswith("hht_")
    assert live.get("/api/v1/records", {"Authorization": f"Bearer {token}"})[0] == 200
    shoot(page, live, "tokens")
    page.locator("tbody tr", has_text="crm-sync").locator("button:has-text('Revoke')").click()
    expect(page.locator(".flash-ok")).to_contain_text("Token crm-sync")
    assert live.get("/api/v1/records", {"Authorization": f"Bearer {token}"}) == (401, {
        "code": 401, "status": "Unauthorized", "reason": "invalid_token",
        "message": "Invalid or revoked API token.", "errors": []})
    page.reload()
    expect(page.locator("tbody tr", has_text="crm-sync")).to_contain_text("revoked")

    page.click("nav >> text=Users")
    page.fill("input[name=name]", "bea")
    page.fill("input[name=password]", "short")
    page.click("button:has-text('Create user')")
    expect(page.locator(".field.has-error")).to_contain_text("A password has 8 to 1024 characters.")
    page.fill("input[name=password]", "long enough now")
    page.click("button:has-text('Create user')")
    expect(page.locator(".flash-ok")).to_have_text("User bea (viewer) is created.")
    shoot(page, live, "users")
    page.locator("tbody tr", has_text="bea").locator("button:has-text('Remove')").click()
    expect(page.locator("tbody tr", has_text="bea")).to_have_count(0)

    page.click("nav >> text=API docs")
    expect(page.locator("h1")).to_contain_text("hookhub API")
    page.click("summary:has-text('/api/v1/entities/{code}/fields')")
    expect(page.locator("#op-add_field")).to_contain_text("409")
    shoot(page, live, "api-docs")
