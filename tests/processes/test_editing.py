"""Edits of a process from the version an editor saw: a stale one is refused and saves nothing."""

from __future__ import annotations

import re

import pytest

from processes import definitions, editing
from processes.definitions import StaleVersion
from processes.models import Process, ProcessVersion
from rules import service as rules
from tests.processes.helpers import definition

RULE = {"id": "no-test", "name": "No test leads", "actions": [{"action": "skip"}]}
STALE = ("Process {} changed since version 1 you edited (now version 2); reload and apply your "
         "change again.")


def loaded() -> Process:
    """The default process as one editor loaded it (each editor holds a copy of its own)."""
    return Process.get(Process.is_default == True)  # noqa: E712


def active(process: Process) -> ProcessVersion:
    return ProcessVersion.get_by_id(Process.get_by_id(process.id).active_version)


def test_the_second_of_two_edits_from_one_version_is_refused_and_saves_nothing(app):
    first, second = loaded(), loaded()
    assert editing.move_step(first, 0, 1, base_version=1).number == 2
    with pytest.raises(StaleVersion) as refused:
        editing.save_step(second, 4, False, {"match_names": True}, base_version=1)
    assert (refused.value.status, refused.value.reason) == (409, "stale_version")
    assert refused.value.message == STALE.format(first.id)
    version = active(first)
    assert version.number == 2 and ProcessVersion.select().count() == 2
    assert [s["name"] for s in version.definition["steps"][:2]] == ["parse", "dedupe"]
    resolve = version.definition["steps"][4]
    assert resolve["name"] == "resolve" and resolve["enabled"] is True
    assert resolve["options"]["match_names"] is False


def test_an_edit_from_the_active_version_is_saved(app):
    second = editing.save_list(loaded(), "mappings", [], base_version=1)
    third = editing.save_list(loaded(), "overrides", [], base_version=2)
    assert (third.number, third.based_on) == (3, second.id)
    assert active(loaded()).id == third.id


EDITS = {
    "save_definition": lambda p, base: definitions.save_definition(p, definition(), base),
    "update_process": lambda p, base: definitions.update_process(p, {"name": "renamed",
                                                                     "active": False}, base),
    "save_step": lambda p, base: editing.save_step(p, 0, False, {}, base),
    "move_step": lambda p, base: editing.move_step(p, 1, -1, base),
    "save_list": lambda p, base: editing.save_list(p, "overrides", [], base),
    "add_rule": lambda p, base: rules.add_rule(p, RULE, base_version=base),
    "replace_rule": lambda p, base: rules.replace_rule(p, "kept", RULE, base),
    "delete_rule": lambda p, base: rules.delete_rule(p, "kept", base),
    "move_rule": lambda p, base: rules.move_rule(p, "kept", 1, base),
    "replace_rules": lambda p, base: rules.replace_rules(p, [], base),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_every_edit_is_refused_when_its_version_is_no_longer_active(app, edit):
    stale = loaded()
    rules.add_rule(loaded(), {**RULE, "id": "kept"})
    with pytest.raises(StaleVersion, match=f"^{re.escape(STALE.format(stale.id))}$"):
        edit(stale, 1)
    process = loaded()
    assert process.name == "default"
    version = active(process)
    assert version.number == 2 and ProcessVersion.select().count() == 2
    assert version.definition["active"] is True
    assert [r["id"] for r in version.definition["rules"]] == ["kept"]


def test_without_a_base_version_an_edit_applies_to_what_is_active_now(app):
    stale = loaded()
    rules.add_rule(loaded(), {**RULE, "id": "first"})
    rules.add_rule(stale, {**RULE, "id": "second"})
    editing.move_step(stale, 0, 1)
    version = active(stale)
    assert version.number == 4 and version.based_on == ProcessVersion.get(number=3).id
    assert [r["id"] for r in version.definition["rules"]] == ["first", "second"]


def test_a_pinned_older_version_is_the_one_to_edit_from(app):
    process = loaded()
    editing.move_step(process, 0, 1, base_version=1)
    definitions.activate_version(process, 1)
    with pytest.raises(StaleVersion, match=r"now version 1\)"):
        editing.move_step(loaded(), 0, 1, base_version=2)
    assert editing.move_step(loaded(), 0, 1, base_version=1).number == 3
