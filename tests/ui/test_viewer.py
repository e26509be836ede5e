"""A business user, in a real browser: find a record, open it, export CSV, and nothing else."""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from core.auth import Role, create_token
from tests.ui.conftest import log_in, shoot

ADMIN_PAGES = ["/", "/inbox", "/inbox/1", "/sources", "/entities", "/entities/Contact", "/lookups",
               "/lookups/Countries", "/tokens", "/users"]


@pytest.fixture
def contacts(live):
    """Three contacts sent through a source created over the API, as an outside sender would."""
    _, token = create_token("setup", Role.ADMIN)
    auth = {"Authorization": f"Bearer {token}"}
    status, source = live.post("/api/v1/sources", b'{"name": "signup-form"}', "application/json",
                               auth)
    assert status == 201
    people = [("Ada Lovelace", "ada@analytical.org", 36), ("Alan Turing", "alan@bletchley.uk", 41),
              ("Grace Hopper", "grace@navy.mil", 85)]
    ids = {}
    for name, email, age in people:
        body = {"EntityName": "Contact", "Name": name, "Email": email, "Age": age,
                "IsEmailConfirmed": "yes"}
        status, answer = live.post(f"/webhooks/{source['api_key']}", json.dumps(body).encode(),
                                   "application/json")
        assert (status, answer["status"]) == (200, "processed")
        ids[name] = answer["records"][0]
    return ids


def test_viewer_finds_a_record_exports_csv_and_is_refused_admin_pages(page, live, contacts):
    log_in(page, "vic")
    expect(page).to_have_url(f"{live.url}/records")
    expect(page.locator("nav.nav a")).to_have_text(["Records"])
    page.click("nav.tabs >> text=Contact")
    page.select_option("select[name=source]", label="signup-form")
    page.click("button:has-text('Search')")
    expect(page.locator("table.records tbody tr")).to_have_count(3)

    page.fill("input[name=q]", "bletchley")
    page.click("button:has-text('Search')")
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Alan Turing")
    shoot(page, live, "records")

    with page.expect_download() as download:
        page.click("text=Export CSV")
    exported = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert exported[0] == ["Id", "Name", "GivenName", "Surname", "Email", "MobilePhone", "JobTitle",
                           "BirthDate", "Age", "IsEmailConfirmed", "CountryId", "created_at",
                           "updated_at", "webhook_id", "source_id"]
    assert len(exported) == 2
    assert exported[1][:11] == [contacts["Alan Turing"], "Alan Turing", "", "", "alan@bletchley.uk",
                                "", "", "", "41", "true", ""]

    page.fill("input[name=q]", "")
    page.click("button:has-text('Search')")
    page.click("th >> text=Age")
    expect(page.locator("table.records tbody tr").first).to_contain_text("Ada Lovelace")
    page.click("th >> text=Age")
    expect(page.locator("table.records tbody tr").first).to_contain_text("Grace Hopper")

    page.click(f"a[title='{contacts['Grace Hopper']}']")
    expect(page.locator("h1")).to_have_text("Grace Hopper")
    expect(page.locator("table.record-fields tr", has_text="IsEmailConfirmed").locator("td")) \
        .to_have_text("yes")
    expect(page.locator("#origin-title + dl")).to_contain_text("signup-form")
    expect(page.locator("a:has-text('#')")).to_have_count(0)
    shoot(page, live, "record-viewer")

    for path in ADMIN_PAGES[1:]:
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.locator("h1")).to_have_text("Forbidden")
    shoot(page, live, "forbidden")
    page.goto("/")
    expect(page).to_have_url(f"{live.url}/records")

    page.click("button:has-text('Log out')")
    expect(page.locator(".flash-ok")).to_have_text("You are logged out.")
    assert page.goto("/records").url == f"{live.url}/login?next=/records"
