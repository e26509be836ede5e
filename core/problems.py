"""Collect validation errors by path, then raise them together in marshmallow's shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import ValidationError

Path = Sequence[str | int]


class Problems:
    """Errors keyed by path (("rules", 0, "when"), ...), kept in the order they were found."""

    def __init__(self) -> None:
        self.messages: dict[Any, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.messages)

    def add(self, path: Path, message: str, label: str | None = None) -> None:
        """Record one message at a path; a label ("Rule 'x'") is put in front of it."""
        if label:
            message = f"{label}: {message[:1].lower()}{message[1:]}"
        node = self.messages
        for key in path[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                child = node[key] = {"_schema": child}
            node = child
        leaf = node.setdefault(path[-1], [])
        if isinstance(leaf, dict):
            leaf = leaf.setdefault("_schema", [])
        leaf.append(message)

    def merge(self, path: Path, error: ValidationError, label: str | None = None) -> None:
        """Record a marshmallow error's messages below a path."""
        self._merge(list(path), error.messages, label)

    def _merge(self, path: list, messages: Any, label: str | None) -> None:
        if isinstance(messages, dict):
            for key, value in messages.items():
                self._merge([*path, key], value, label)
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            for message in messages:
                self.add(path or ["_schema"], message, label)
        elif isinstance(messages, list):
            for i, value in enumerate(messages):
                self._merge([*path, i], value, label)
        else:
            self.add(path or ["_schema"], str(messages), label)

    def check(self) -> None:
        """Raise every collected message as one ValidationError (the 400 handler formats it)."""
        if self.messages:
            raise ValidationError(self.messages)
