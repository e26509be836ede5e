"""Step parse: the payload flattened to parameters; its separator option."""

from __future__ import annotations

from processes.steps.parse import flatten
from tests.processes.helpers import definition, draft_run, step


def test_nested_objects_become_joined_keys_and_lists_stay():
    assert flatten({"a": {"b": {"c": 1}}, "l": [1, {"x": 2}], "s": "t"}, ".") == {
        "a.b.c": 1, "l": [1, {"x": 2}], "s": "t"}


def test_the_separator_option(client, admin):
    draft = definition({"parse": {"separator": "__"}}, mappings=[{"from": "contact__email", "to": "Email"}])
    answer = draft_run(client, admin, draft, {"EntityName": "FormSubmit", "contact": {"email": "a@b.c"}})
    assert step(answer, "parse") == {"step": "parse", "ok": True, "ms": step(answer, "parse")["ms"],
                                     "params": 2, "attachments": []}
    assert answer["records"][0]["data"]["Email"] == "a@b.c"
