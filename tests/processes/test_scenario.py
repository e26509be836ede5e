"""A landing-page form becomes a Contact and a related Lead, shaped by data rather than code.

The form posts first_name, last_name, email, country=Canada and utm_source. hookhub has no
field called first_name, and no Lead source called "google"; the process below bridges the gap:

- manual mappings rename the form's fields to the Contact's;
- the resolve step may match lookup rows by display name ("Canada") and alias ("google");
- rules join the name, upsert the Contact on Email, and add a Lead linked to the Contact.

A dry run of each post shows the very trace the real run then stores, and writes nothing.
"""

from __future__ import annotations

import copy

import pytest

from integrations.inbound.models import Webhook
from lookups.models import LookupRow
from lookups.seed import stable_id
from processes.models import ContentHash, Record, RecordKey

CANADA = stable_id("country", "CA")
SEARCH_ENGINE = stable_id("lead-source", "Search engine")
FORM = "application/x-www-form-urlencoded"

LANDING_FORMS = {
    "steps": [
        {"name": "dedupe"},
        {"name": "parse"},
        {"name": "map"},
        {"name": "typecheck"},
        {"name": "resolve", "options": {"match_names": True}},
        {"name": "rules"},
        {"name": "create"},
    ],
    "mappings": [
        {"from": "first_name", "to": "GivenName", "transform": ["trim"]},
        {"from": "last_name", "to": "Surname", "transform": ["trim"]},
        {"from": "email", "to": "Email", "transform": ["trim", "lower"]},
        {"from": "country", "to": "CountryId", "entity": "Contact"},
    ],
    "rules": [
        {"id": "full-name", "name": "Full name", "entity": "Contact",
         "actions": [{"action": "set", "field": "Name", "template": "{first_name} {last_name}"}]},
        {"id": "contact-per-email", "name": "One contact per email", "entity": "Contact",
         "when": {"exists": {"field": "Email"}},
         "actions": [{"action": "upsert", "keys": ["Email"]}]},
        {"id": "campaign-lead", "name": "Lead from a campaign", "entity": "Contact",
         "when": {"exists": {"path": "$.utm_source"}},
         "actions": [{"action": "create_related", "entity": "Lead", "link": "ContactRecordId",
                      "set": {"LeadSourceId": {"path": "$.utm_source"},
                              "Contact": {"copy": "Name"},
                              "Email": {"copy": "Email"},
                              "CountryId": {"copy": "CountryId"}}}]},
    ],
}
FIRST_POST = {"first_name": "Ada", "last_name": "Lovelace", "email": " Ada@Example.com ",
              "country": "Canada", "utm_source": "google"}
SECOND_POST = {**FIRST_POST, "last_name": "King", "email": "ada@example.com"}


@pytest.fixture
def landing(client, admin):
    """A landing-page source whose posts are Contacts, and its own process."""
    source = client.post("/api/v1/sources", headers=admin,
                         json={"name": "landing", "default_entity": "Contact"}).json
    process = client.post("/api/v1/processes", headers=admin,
                          json={"name": "landing forms", "sources": [source["id"]],
                                "definition": LANDING_FORMS})
    assert process.status_code == 201, process.json
    return {"key": source["api_key"], "source": source["id"], "process": process.json["id"]}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.select().count()
            for model in (Webhook, Record, RecordKey, LookupRow, ContentHash)}


def comparable(trace: list[dict]) -> list[dict]:
    """The trace without timings, and with the fresh Id each run gives a new record blanked."""
    trace = copy.deepcopy(trace)
    for entry in trace:
        entry.pop("ms", None)
        for rule in entry.get("rules", []):
            rule.pop("ms", None)
        for record in entry.get("records", []):
            if record["action"] == "create":
                record["id"] = "<new>"
    return trace


def dry_run(client, admin, landing, form: dict) -> dict:
    before = row_counts()
    response = client.post(f"/api/v1/processes/{landing['process']}/dry-run", headers=admin,
                           json={"payload": form, "source": landing["source"], "content_type": FORM})
    assert response.status_code == 200, response.json
    assert row_counts() == before
    return response.json


def post(client, admin, landing, form: dict) -> tuple[dict, dict]:
    """Post the form as a landing page would; return the answer and the stored webhook."""
    answer = client.post(f"/webhooks/{landing['key']}", data=form, content_type=FORM)
    assert answer.status_code == 200, answer.json
    stored = client.get(f"/api/v1/webhooks/{answer.json['id']}", headers=admin).json
    return answer.json, stored


def test_a_form_post_becomes_a_contact_and_a_lead_and_a_second_post_updates_the_contact(
        client, admin, landing):
    # First post, tried out first: the dry run says what would happen and writes nothing.
    rehearsal = dry_run(client, admin, landing, FIRST_POST)
    assert rehearsal["status"] == "processed" and rehearsal["errors"] == []
    assert [(r["entity"], r["action"]) for r in rehearsal["records"]] == [("Contact", "create"),
                                                                          ("Lead", "create")]

    answer, stored = post(client, admin, landing, FIRST_POST)
    assert answer["status"] == "processed" and answer["errors"] == []
    contact_id, lead_id = answer["records"]
    assert comparable(stored["trace"]) == comparable(rehearsal["trace"])

    contact = Record.get_by_id(contact_id)
    assert contact.entity == "Contact"
    assert contact.data == {"GivenName": "Ada", "Surname": "Lovelace", "Email": "ada@example.com",
                            "CountryId": CANADA, "Name": "Ada Lovelace", "Id": contact_id}
    lead = Record.get_by_id(lead_id)
    assert lead.data == {"LeadSourceId": SEARCH_ENGINE, "Contact": "Ada Lovelace",
                         "Email": "ada@example.com", "CountryId": CANADA,
                         "ContactRecordId": contact_id, "Id": lead_id}

    # Second post from the same person: the Contact is found by Email and updated.
    rehearsal = dry_run(client, admin, landing, SECOND_POST)
    assert rehearsal["records"][0] == {
        "entity": "Contact", "role": "main", "action": "update", "id": contact_id,
        "data": {"GivenName": "Ada", "Surname": "King", "Email": "ada@example.com",
                 "CountryId": CANADA, "Name": "Ada King", "Id": contact_id}}

    answer, stored = post(client, admin, landing, SECOND_POST)
    assert answer["status"] == "processed"
    assert answer["records"][0] == contact_id
    assert comparable(stored["trace"]) == comparable(rehearsal["trace"])
    assert Record.get_by_id(contact_id).data["Name"] == "Ada King"
    assert Record.select().where(Record.entity == "Contact").count() == 1
    leads = Record.select().where(Record.entity == "Lead")
    assert [lead.data["ContactRecordId"] for lead in leads] == [contact_id, contact_id]


def test_the_trace_tells_the_story_step_by_step(client, admin, landing):
    _, stored = post(client, admin, landing, FIRST_POST)
    contact_id, lead_id = stored["records"]
    steps = {entry["step"]: entry for entry in comparable(stored["trace"])}

    assert steps["dedupe"] == {"step": "dedupe", "ok": True, "checked": True, "duplicate_of": None}
    assert steps["map"] == {
        "step": "map", "ok": True, "entity": "Contact", "chosen_by": "source default",
        "mapped": {"GivenName": "first_name", "Surname": "last_name", "Email": "email",
                   "CountryId": "country"},
        "ignored": ["utm_source"], "unused_mappings": []}
    assert steps["resolve"]["resolved"] == {
        "CountryId": {"from": "Canada", "to": CANADA, "by": "name"}}
    assert steps["rules"]["rules"] == [
        {"rule": "full-name", "name": "Full name", "matched": True,
         "actions": [{"action": "set", "field": "Name", "from": None, "to": "Ada Lovelace"}]},
        {"rule": "contact-per-email", "name": "One contact per email",
         "matched": True, "actions": [{"action": "upsert", "keys": ["Email"]}]},
        {"rule": "campaign-lead", "name": "Lead from a campaign",
         "matched": True,
         "actions": [{"action": "create_related", "entity": "Lead",
                      "values": {"LeadSourceId": SEARCH_ENGINE, "Contact": "Ada Lovelace",
                                 "Email": "ada@example.com", "CountryId": CANADA}}]}]
    assert steps["create"] == {"step": "create", "ok": True, "records": [
        {"entity": "Contact", "role": "main", "action": "create", "id": "<new>"},
        {"entity": "Lead", "role": "related", "action": "create", "id": "<new>"}]}
    assert [contact_id, lead_id] == [r.id for r in Record.select().order_by(Record.entity)]
