"""Invalid definitions are refused with every fault named by its path, in exact words."""

from __future__ import annotations

import pytest

from tests.processes.helpers import STEPS, definition, draft_run, invalid

MAP = {"from": "email", "to": "Email"}
RULE = {"name": "r", "actions": [{"action": "stop"}]}

INVALID = [
    ({}, "steps", "Missing data for required field."),
    ({"steps": []}, "steps", "Length must be between 1 and 50."),
    ({**definition(), "stepz": []}, "stepz", "Unknown field."),
    ({"steps": [{"name": "parse"}, {"name": "bogus"}]}, "steps.1.name",
     "Unknown step 'bogus'; use one of: create, dedupe, map, parse, resolve, rules, typecheck."),
    ({"steps": [{"name": "map"}, {"name": "map"}]}, "steps.1.name",
     "Step 'map' appears more than once."),
    ({"steps": [{"name": "parse"}, {"name": "typecheck"}, {"name": "map"}]}, "steps.1.name",
     "Step 'typecheck' needs the entity, so it comes after 'map'."),
    ({"steps": [{"name": "parse"}, {"name": "create"}]}, "steps.1.name",
     "Step 'create' needs the entity, so it comes after 'map'."),
    ({"steps": [{"name": "parse", "enabled": "maybe"}]}, "steps.0.enabled", "Not a valid boolean."),
    (definition({"typecheck": {"invalid_optional": "ignore"}}), "steps.3.options.invalid_optional",
     "Must be one of: fail, drop."),
    (definition({"parse": {"sep": "/"}}), "steps.1.options.sep", "Unknown field."),
    (definition({"parse": {"separator": ""}}), "steps.1.options.separator",
     "Length must be between 1 and 3."),
    (definition({"dedupe": {"window_seconds": 0}}), "steps.0.options.window_seconds",
     "Must be greater than or equal to 1 and less than or equal to 86400."),
    (definition({"dedupe": {"scope": "json"}}), "steps.0.options.scope", "Must be one of: forms, all."),
    (definition({"map": {"entity_param": ""}}), "steps.2.options.entity_param",
     "Length must be between 1 and 100."),
    (definition({"map": {"auto": "maybe"}}), "steps.2.options.auto", "Not a valid boolean."),
    (definition({"map": {"ignore_case": 1.5}}), "steps.2.options.ignore_case", "Not a valid boolean."),
    (definition({"typecheck": {"date_formats": ["dd.mm.yyyy"]}}), "steps.3.options.date_formats.0",
     "A date format needs a strftime directive such as %Y."),
    (definition({"typecheck": {"strict_booleans": "x"}}), "steps.3.options.strict_booleans",
     "Not a valid boolean."),
    (definition({"typecheck": {"decimal_comma": "x"}}), "steps.3.options.decimal_comma",
     "Not a valid boolean."),
    (definition({"typecheck": {"max_length": 0}}), "steps.3.options.max_length",
     "Must be greater than or equal to 1 and less than or equal to 1000000."),
    (definition({"resolve": {"unknown": "guess"}}), "steps.4.options.unknown",
     "Must be one of: reject, null, default, create."),
    (definition({"resolve": {"match_names": "x"}}), "steps.4.options.match_names",
     "Not a valid boolean."),
    (definition({"resolve": {"defaults": {"CountryId": 5}}}), "steps.4.options.defaults.CountryId.value",
     "Not a valid string."),
    (definition({"rules": {"strict": True}}), "steps.5.options.strict", "Unknown field."),
    (definition({"create": {"on_update": "overwrite"}}), "steps.6.options.on_update",
     "Must be one of: merge, replace."),
    (definition(overrides=[{"step": "resolve"}]), "overrides.0._schema",
     "An override names a source, an entity or both."),
    ({"steps": [{"name": "parse"}, {"name": "map"}], "overrides": [{"step": "dedupe", "source": 1}]},
     "overrides.0.step", "Step 'dedupe' is not in this process."),
    (definition(overrides=[{"step": "parse", "entity": "Contact"}]), "overrides.0.entity",
     "Step 'parse' runs before the entity is known; override it per source only."),
    (definition(overrides=[{"step": "map", "entity": "Contact"}]), "overrides.0.entity",
     "Step 'map' runs before the entity is known; override it per source only."),
    (definition(overrides=[{"step": "resolve", "entity": "Nope"}]), "overrides.0.entity",
     "Entity 'Nope' does not exist."),
    (definition(overrides=[{"step": "resolve", "source": 999999}]), "overrides.0.source",
     "Source 999999 does not exist."),
    (definition(overrides=[{"step": "resolve", "entity": "Lead", "options": {"match_names": "x"}}]),
     "overrides.0.options.match_names", "Not a valid boolean."),
    (definition(mappings=[{"from": "$.a#", "to": "Email"}]), "mappings.0.from",
     "Mapping to 'Email': invalid JSONPath at column 4: unexpected character '#'."),
    (definition(mappings=[{"from": "$.contact.[", "to": "Email"}]), "mappings.0.from",
     "Mapping to 'Email': invalid JSONPath at column 12: unexpected end of expression."),
    (definition(mappings=[{"to": "Email"}]), "mappings.0.from",
     "A mapping needs 'from' (a parameter or a JSONPath) unless a constant transform gives its value."),
    (definition(mappings=[{"from": "x", "to": "Nope", "entity": "Contact"}]), "mappings.0.to",
     "'Nope' is not a field of Contact."),
    (definition(mappings=[{"from": "x", "to": "Email", "entity": "Nope"}]), "mappings.0.entity",
     "Entity 'Nope' does not exist."),
    (definition(mappings=[{"from": "x", "to": "Email", "source": 999999}]), "mappings.0.source",
     "Source 999999 does not exist."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": ["title"]}]),
     "mappings.0.transform.0",
     "Unknown transform 'title'; use one of: trim, lower, upper, split_name, date_format, constant."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": [{"pad": 3}]}]),
     "mappings.0.transform.0",
     "Unknown transform 'pad'; use one of: trim, lower, upper, split_name, date_format, constant."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": [{"a": 1, "b": 2}]}]),
     "mappings.0.transform.0", "A transform is a name or an object with one key."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": [{"split_name": "middle"}]}]),
     "mappings.0.transform.0", "split_name takes 'first' or 'last'."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": [{"date_format": "dmy"}]}]),
     "mappings.0.transform.0", "date_format takes a strftime format such as '%d/%m/%Y'."),
    (definition(mappings=[{"from": "x", "to": "Email", "transform": [{"constant": {"a": 1}}]}]),
     "mappings.0.transform.0", "constant takes a string, number, boolean or null."),
    (definition(mappings=[{"from": "x", "to": "email address"}]), "mappings.0.to",
     "Must start with a letter and hold only letters, digits and _."),
    (definition(rules=[{"actions": [{"action": "stop"}]}]), "rules.0.name",
     "Missing data for required field."),
    (definition(rules=[{"name": "r"}]), "rules.0.actions", "Missing data for required field."),
    (definition(rules=[{"name": "r", "actions": []}]), "rules.0.actions",
     "Shorter than minimum length 1."),
    (definition(rules=[{**RULE, "id": "a"}, {**RULE, "id": "a"}]), "rules.1.id",
     "Rule id 'a' is used twice."),
    (definition(rules=[{**RULE, "id": "a b"}]), "rules.0.id", "1-40 letters, digits, _ or -."),
    (definition(rules=[{**RULE, "entity": "Nope"}]), "rules.0.entity", "Entity 'Nope' does not exist."),
    (definition(rules=[{**RULE, "source": 999999}]), "rules.0.source", "Source 999999 does not exist."),
    (definition(rules=[{**RULE, "priority": 1}]), "rules.0.priority", "Unknown field."),
]


@pytest.mark.parametrize("draft,field,message", INVALID)
def test_each_invalid_definition_is_named(client, admin, draft, field, message):
    errors = invalid(client, admin, draft)
    assert errors[0] == {"field": field, "message": message}


def test_every_fault_is_reported_at_once(client, admin):
    draft = definition({"parse": {"separator": ""}},
                       mappings=[{"from": "$.a#", "to": "Email"}, {"from": "x", "to": "Nope",
                                                                   "entity": "Contact"}],
                       rules=[{"name": "r", "actions": [{"action": "explode"}]}])
    assert invalid(client, admin, draft) == [
        {"field": "steps.1.options.separator", "message": "Length must be between 1 and 3."},
        {"field": "mappings.0.from",
         "message": "Mapping to 'Email': invalid JSONPath at column 4: unexpected character '#'."},
        {"field": "mappings.1.to", "message": "'Nope' is not a field of Contact."},
        {"field": "rules.0.actions.0.action",
         "message": "Unknown action 'explode'; use one of: create_related, emit, reject, route, set, "
                    "skip, stop, upsert."}]


def test_limits_come_from_the_configuration(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "RULES_MAX_RULES", 2)
    monkeypatch.setitem(app.config, "RULES_MAX_ACTIONS", 1)
    monkeypatch.setitem(app.config, "RULES_MAX_EXPRESSION", 10)
    assert invalid(client, admin, definition(rules=[RULE] * 3)) == [
        {"field": "rules", "message": "A process holds at most 2 rules; this one has 3."}]
    assert invalid(client, admin, definition(rules=[{"name": "r", "actions": [{"action": "stop"}] * 2}])
                   ) == [{"field": "rules.0.actions",
                          "message": "Rule 'r': a rule holds at most 1 actions."}]
    assert invalid(client, admin, definition(mappings=[{"from": "$.contact.email", "to": "Email"}])
                   ) == [{"field": "mappings.0.from",
                          "message": "Mapping to 'Email': the JSONPath is 15 characters; the limit is 10."}]


def test_the_stock_definition_is_valid_and_complete(client, admin):
    answer = draft_run(client, admin, definition(), {"EntityName": "FormSubmit", "Name": "x"})
    assert answer["status"] == "processed"
    assert [e["step"] for e in answer["trace"]] == STEPS


def test_a_disabled_step_is_traced_as_skipped(client, admin):
    draft = definition()
    draft["steps"][4]["enabled"] = False
    answer = draft_run(client, admin, draft, {"EntityName": "Lead", "CountryId": "Canada"})
    assert step_names(answer) == ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]
    assert answer["trace"][4] == {"step": "resolve", "skipped": True}
    assert answer["records"][0]["data"]["CountryId"] == "Canada"


def step_names(answer: dict) -> list[str]:
    return [e["step"] for e in answer["trace"]]
