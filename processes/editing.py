"""Edits the pages and the API make to a process's definition, each saved as a new version.

Each takes `base_version`, the version number the editor saw: when another edit has made a newer
version active since, nothing is saved and StaleVersion (409) says so.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from processes import definitions
from processes.models import Process, ProcessVersion

# The parts of a definition edited as a whole list each.
LISTS = ("overrides", "mappings")


def _step(definition: dict[str, Any], process: Process, index: int) -> dict[str, Any]:
    if not 0 <= index < len(definition["steps"]):
        raise ValidationError({"step": [f"Process {process.id} has no step {index + 1}."]})
    return definition["steps"][index]


def step_name(process: Process, index: int) -> str:
    """The name of the step at an index of the active definition, or a 400 that names it."""
    return _step(definitions.active_version(process).definition, process, index)["name"]


def save_step(process: Process, index: int, enabled: bool, options: dict[str, Any],
              base_version: int | None = None) -> ProcessVersion:
    """Turn a step on or off and replace its options."""
    return definitions.edit_definition(
        process, lambda d: _step(d, process, index).update(enabled=enabled, options=options),
        base_version)


def move_step(process: Process, index: int, offset: int, base_version: int | None = None
              ) -> ProcessVersion:
    """Swap a step with the one `offset` places away (-1 up, +1 down)."""

    def change(definition: dict[str, Any]) -> None:
        steps = definition["steps"]
        target = index + offset
        if not 0 <= index < len(steps) or not 0 <= target < len(steps):
            raise ValidationError({"step": ["That step cannot move that way."]})
        steps[index], steps[target] = steps[target], steps[index]

    return definitions.edit_definition(process, change, base_version)


def save_list(process: Process, part: str, value: Any, base_version: int | None = None
              ) -> ProcessVersion:
    """Replace the overrides or the mappings as a whole."""
    return definitions.edit_definition(process, lambda d: d.update({part: value}), base_version)
