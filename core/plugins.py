"""The one plugin mechanism: steps, coercers and rule actions from entry points and configuration.

Built-in parts are registered through the same entry-point groups (see pyproject.toml) as an
installed plugin's, so a plugin step is placed in a process exactly like a built-in one.
Configuration (PLUGINS = {"steps": {name: "module:attr"}, ...}) adds or replaces parts by
dotted path without packaging them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
EXTENSION = "hookhub.registry"


class Group(StrEnum):
    """The entry-point groups, and the PLUGINS configuration key of each."""

    STEPS = "hookhub.steps"
    COERCERS = "hookhub.coercers"
    ACTIONS = "hookhub.actions"

    @property
    def config_key(self) -> str:
        return self.value.split(".", 1)[1]


@dataclass(frozen=True)
class Registry:
    steps: dict[str, Any]
    coercers: dict[str, Any]
    actions: dict[str, Any]


def _is_step(obj: Any) -> bool:
    return callable(getattr(obj, "run", None)) and hasattr(obj, "Options")


def _is_action(obj: Any) -> bool:
    return callable(obj) and hasattr(obj, "Schema") and callable(getattr(obj, "run", None))


CHECKS = {Group.STEPS: (_is_step, "a run(ctx, options) and an Options schema"),
          Group.COERCERS: (callable, "a callable (value, options)"),
          Group.ACTIONS: (_is_action, "a class with a Schema and run(ctx, rule)")}


def _load_group(group: Group, configured: dict[str, str]) -> dict[str, Any]:
    installed = sorted(entry_points(group=group.value), key=lambda e: (e.name, e.value))
    from_config = [EntryPoint(name, path, group.value) for name, path in configured.items()]
    check, wanted = CHECKS[group]
    found: dict[str, Any] = {}
    for ep in [*installed, *from_config]:
        try:
            obj = ep.load()
        except Exception:
            log.exception("plugin %s '%s' (%s) could not be loaded; it is left out",
                          group.value, ep.name, ep.value)
            continue
        if not check(obj):
            log.error("plugin %s '%s' (%s) is not %s; it is left out", group.value, ep.name,
                      ep.value, wanted)
            continue
        if ep.name in found and ep not in from_config:
            log.warning("plugin %s '%s' is installed twice; keeping the first", group.value, ep.name)
            continue
        found[ep.name] = obj
    return found


def get() -> Registry:
    """The app's registry, discovered on first use."""
    ext = current_app.extensions
    if EXTENSION not in ext:
        plugins = current_app.config["PLUGINS"]
        ext[EXTENSION] = Registry(*(_load_group(g, plugins.get(g.config_key, {})) for g in Group))
        if not ext[EXTENSION].steps:
            raise RuntimeError("No process steps are registered; install hookhub "
                               "(pip install -e .) so that its entry points exist.")
    return ext[EXTENSION]


def steps() -> dict[str, Any]:
    """Registered steps by name."""
    return get().steps


def coercers() -> dict[str, Any]:
    """Registered coercers by net_type."""
    return get().coercers


def actions() -> dict[str, Any]:
    """Registered rule actions by name."""
    return get().actions
