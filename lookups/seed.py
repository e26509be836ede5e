"""Default webhook entities and lookups: Contact, Lead, Order, FormSubmit; Countries and more."""

from __future__ import annotations

import uuid

import pycountry

from core.db import db
from lookups.models import Entity, Field, Lookup, LookupRow, NetType

ID_NAMESPACE = uuid.UUID("3f1d6c2e-8a51-4b7e-9c0d-6b2f5a7e1c11")
G, S, INT, D, B, DT, DA = (NetType.GUID, NetType.STRING, NetType.INT32, NetType.DECIMAL,
                         NetType.BOOLEAN, NetType.DATETIME, NetType.DATE)


def stable_id(kind: str, key: str) -> str:
    """A GUID that is the same on every installation for the same seeded row."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}"))


def country_rows() -> list[dict]:
    """Every ISO 3166-1 country, with its codes and official name as aliases."""
    rows = []
    for country in pycountry.countries:
        aliases = [country.alpha_2, country.alpha_3]
        for extra in ("official_name", "common_name"):
            value = getattr(country, extra, None)
            if value and value != country.name:
                aliases.append(value)
        rows.append({"id": stable_id("country", country.alpha_2), "name": country.name,
                     "aliases": aliases})
    return rows


LOOKUPS = {
    "Countries": ("Countries", country_rows),
    "LeadSources": ("Lead sources", lambda: [
        {"id": stable_id("lead-source", name), "name": name, "aliases": aliases}
        for name, aliases in [
            ("Web", ["website", "landing", "landing page"]),
            ("Search engine", ["google", "bing", "seo", "cpc"]),
            ("Social media", ["facebook", "instagram", "linkedin", "twitter", "x", "tiktok"]),
            ("Email", ["newsletter", "mailchimp"]),
            ("Referral", ["partner", "affiliate"]),
            ("Event", ["conference", "webinar"]),
            ("Other", []),
        ]]),
    "OrderStatuses": ("Order statuses", lambda: [
        {"id": stable_id("order-status", name), "name": name, "aliases": []}
        for name in ["New", "Paid", "Shipped", "Completed", "Cancelled"]]),
}

ENTITIES = {
    "Contact": ("Contact", "6e05fd0c-7212-45bf-8b6e-f263423e97b1", [
        ("Id", "Id", G, True, None), ("Name", "Full name", S, True, None),
        ("GivenName", "First name", S, False, None), ("Surname", "Last name", S, False, None),
        ("Email", "Email", S, False, None), ("MobilePhone", "Mobile phone", S, False, None),
        ("JobTitle", "Job title", S, False, None), ("BirthDate", "Birth date", DT, False, None),
        ("Age", "Age", INT, False, None), ("IsEmailConfirmed", "IsEmailConfirmed", B, False, None),
        ("CountryId", "Country", G, False, "Countries"),
    ]),
    "Lead": ("Lead", "2b755431-dd89-4f4c-b97b-9a15ebe9cea9", [
        ("Id", "Id", G, True, None), ("Contact", "Contact", S, False, None),
        ("Email", "Email", S, False, None), ("MobilePhone", "Mobile phone", S, False, None),
        ("Account", "Account", S, False, None), ("Website", "Web", S, False, None),
        ("Budget", "Budget", D, False, None), ("Commentary", "Notes", S, False, None),
        ("CountryId", "Country", G, False, "Countries"),
        ("LeadSourceId", "Source", G, False, "LeadSources"),
        ("ContactRecordId", "Contact record", G, False, None),
    ]),
    "Order": ("Order", "4b1f24dd-95ee-4049-b611-dfd701f0cab1", [
        ("Id", "Id", G, True, None), ("Number", "Number", S, True, None),
        ("Date", "Date", DA, False, None), ("Amount", "Total", D, False, None),
        ("ContactEmail", "Customer email", S, False, None),
        ("StatusId", "Status", G, False, "OrderStatuses"),
        ("Comment", "Comment", S, False, None),
    ]),
    "FormSubmit": ("Form Submit", "9f3c8a4e-2d1b-4c6a-8e5f-7a0b1c2d3e4f", [
        ("Id", "Id", G, True, None), ("Name", "Name", S, False, None),
        ("Email", "Email", S, False, None), ("Phone", "Phone", S, False, None),
        ("FormName", "Form", S, False, None), ("Message", "Message", S, False, None),
        ("SubmittedOn", "Submitted on", DT, False, None),
    ]),
}


def seed() -> None:
    """Create the default lookups and entities that are missing; never overwrite edits."""
    with db.atomic():
        lookups = {}
        for code, (caption, rows) in LOOKUPS.items():
            lookup, created = Lookup.get_or_create(code=code, defaults={"caption": caption})
            lookups[code] = lookup
            if created:
                LookupRow.insert_many([
                    {"lookup": lookup, "row_id": r["id"], "name": r["name"],
                     "aliases": r["aliases"]} for r in rows()
                ]).execute()
        for code, (caption, form_id, fields) in ENTITIES.items():
            entity, created = Entity.get_or_create(
                code=code, defaults={"caption": caption, "form_id": form_id})
            if not created:
                continue
            Field.insert_many([
                {"entity": entity, "code": f, "caption": c, "net_type": t.value, "required": r,
                 "lookup": lookups[lk] if lk else None, "position": i}
                for i, (f, c, t, r, lk) in enumerate(fields)
            ]).execute()
