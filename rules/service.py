"""Rules of a process: each edit saves the whole process as a new version.

Each edit applies to the active definition as it is when the edit is saved, and takes
`base_version`, the version number the editor saw (see processes.editing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError

from core.errors import NotFound
from processes import definitions
from processes.models import Process, ProcessVersion


def rules_of(process: Process) -> list[dict[str, Any]]:
    """The rules of the process's active version, in order."""
    return definitions.active_version(process).definition["rules"]


def _index(process: Process, rules: list[dict[str, Any]], rule_id: str) -> int:
    for i, rule in enumerate(rules):
        if rule["id"] == rule_id:
            return i
    raise NotFound(f"Process {process.id} has no rule '{rule_id}'.")


def get_rule(process: Process, rule_id: str) -> dict[str, Any]:
    """One rule of the active version, or NotFound."""
    rules = rules_of(process)
    return rules[_index(process, rules, rule_id)]


def _edit(process: Process, change: Callable[[list[dict[str, Any]]], int | None],
          base_version: int | None) -> ProcessVersion:
    """Change the rules in place; `change` returns the index of the one rule it was sent, if any."""
    focus: list[int | None] = [None]

    def apply(definition: dict[str, Any]) -> None:
        focus[0] = change(definition["rules"])

    try:
        return definitions.edit_definition(process, apply, base_version)
    except ValidationError as exc:
        # Errors about the one rule sent are reported relative to it, as the body it was.
        inside = exc.messages.get("rules", {}) if isinstance(exc.messages, dict) else {}
        if focus[0] is not None and list(exc.messages) == ["rules"] and list(inside) == [focus[0]]:
            raise ValidationError(inside[focus[0]]) from None
        raise


def add_rule(process: Process, rule: dict[str, Any], position: int | None = None,
             base_version: int | None = None) -> ProcessVersion:
    """Insert a rule (at the end by default)."""

    def change(rules: list[dict[str, Any]]) -> int:
        index = len(rules) if position is None else min(position, len(rules))
        rules.insert(index, rule)
        return index

    return _edit(process, change, base_version)


def replace_rule(process: Process, rule_id: str, rule: dict[str, Any],
                 base_version: int | None = None) -> ProcessVersion:
    """Replace a rule, keeping its id and place."""

    def change(rules: list[dict[str, Any]]) -> int:
        index = _index(process, rules, rule_id)
        rules[index] = {**rule, "id": rule_id}
        return index

    return _edit(process, change, base_version)


def delete_rule(process: Process, rule_id: str, base_version: int | None = None
                ) -> ProcessVersion:
    """Remove a rule."""

    def change(rules: list[dict[str, Any]]) -> None:
        del rules[_index(process, rules, rule_id)]

    return _edit(process, change, base_version)


def move_rule(process: Process, rule_id: str, offset: int, base_version: int | None = None
              ) -> ProcessVersion:
    """Swap a rule with the one `offset` places away (-1 up, +1 down); at an end it stays."""

    def change(rules: list[dict[str, Any]]) -> None:
        index = _index(process, rules, rule_id)
        target = max(0, min(len(rules) - 1, index + offset))
        rules[index], rules[target] = rules[target], rules[index]

    return _edit(process, change, base_version)


def replace_rules(process: Process, rules: list[dict[str, Any]], base_version: int | None = None
                  ) -> ProcessVersion:
    """Replace the whole ordered list (to reorder, send the rules in the new order)."""

    def change(current: list[dict[str, Any]]) -> None:
        current[:] = rules

    return _edit(process, change, base_version)
