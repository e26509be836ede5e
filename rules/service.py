"""Rules of a process: each edit saves the whole process as a new version."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from core.errors import NotFound
from processes import definitions
from processes.models import Process, ProcessVersion


def rules_of(process: Process) -> list[dict[str, Any]]:
    """The rules of the process's active version, in order."""
    return definitions.active_version(process).definition["rules"]


def get_rule(process: Process, rule_id: str) -> dict[str, Any]:
    """One rule of the active version, or NotFound."""
    for rule in rules_of(process):
        if rule["id"] == rule_id:
            return rule
    raise NotFound(f"Process {process.id} has no rule '{rule_id}'.")


def _save(process: Process, rules: list[dict[str, Any]], focus: int | None) -> ProcessVersion:
    try:
        return definitions.edit_definition(process, lambda d: d.update(rules=rules))
    except ValidationError as exc:
        # Errors about the one rule sent are reported relative to it, as the body it was.
        inside = exc.messages.get("rules", {}) if isinstance(exc.messages, dict) else {}
        if focus is not None and list(exc.messages) == ["rules"] and list(inside) == [focus]:
            raise ValidationError(inside[focus]) from None
        raise


def add_rule(process: Process, rule: dict[str, Any], position: int | None = None) -> ProcessVersion:
    """Insert a rule (at the end by default)."""
    rules = list(rules_of(process))
    index = len(rules) if position is None else min(position, len(rules))
    rules.insert(index, rule)
    return _save(process, rules, index)


def replace_rule(process: Process, rule_id: str, rule: dict[str, Any]) -> ProcessVersion:
    """Replace a rule, keeping its id and place."""
    get_rule(process, rule_id)
    rules = list(rules_of(process))
    index = next(i for i, r in enumerate(rules) if r["id"] == rule_id)
    rules[index] = {**rule, "id": rule_id}
    return _save(process, rules, index)


def delete_rule(process: Process, rule_id: str) -> ProcessVersion:
    """Remove a rule."""
    get_rule(process, rule_id)
    return _save(process, [r for r in rules_of(process) if r["id"] != rule_id], None)


def replace_rules(process: Process, rules: list[dict[str, Any]]) -> ProcessVersion:
    """Replace the whole ordered list (to reorder, send the rules in the new order)."""
    return _save(process, rules, None)
