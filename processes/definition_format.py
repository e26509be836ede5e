"""The format of process definitions, and the upgrades that bring an older stored one up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError

from core.db import JSONField

# UPGRADES[n - 1] turns a definition of format n into one of format n + 1; none yet.
UPGRADES: list[Callable[[dict[str, Any]], dict[str, Any]]] = []
CURRENT_FORMAT = len(UPGRADES) + 1


def upgrade(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition in CURRENT_FORMAT; one without a format is format 1, the first."""
    number = definition.get("format", 1)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValidationError({"format": [f"A definition format is a whole number from 1 to "
                                          f"{CURRENT_FORMAT}, not {number!r}."]})
    if number > CURRENT_FORMAT:
        raise ValidationError({"format": [f"Definition format {number} is newer than this hookhub "
                                          f"reads (up to {CURRENT_FORMAT})."]})
    for step in UPGRADES[number - 1:]:
        definition = step(definition)
    return {**definition, "format": CURRENT_FORMAT}


class DefinitionField(JSONField):
    """A stored definition, read in the current format."""

    def python_value(self, value: str | None) -> Any:
        definition = super().python_value(value)
        try:
            return upgrade(definition)
        except ValidationError:
            # One this version cannot read stays as stored: compiling it names the fault.
            return definition
