"""Rules compiled once per process version, and their evaluation with a trace entry per rule."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from core import plugins as registry
from core.problems import Path, Problems
from processes.context import Context
from rules import expressions
from rules.conditions import Condition, ConditionCompiler


@dataclass(frozen=True)
class CompiledRule:
    id: str
    name: str
    enabled: bool
    source: int | None
    entity: str | None
    condition: Condition | None
    actions: tuple[tuple[str, Any], ...]

    def evaluate(self, ctx: Context) -> dict[str, Any]:
        """Test the condition and run the actions; return the rule's trace entry."""
        entry: dict[str, Any] = {"rule": self.id, "name": self.name}
        if not self.enabled:
            return {**entry, "matched": False, "skipped": "disabled"}
        if self.source not in (None, ctx.source_id) or self.entity not in (None, ctx.entity.code):
            return {**entry, "matched": False, "skipped": "another source or entity"}
        started = time.perf_counter()
        notes: list[str] = []
        entry["matched"] = matched = self.condition is None or self.condition(ctx, notes)
        if notes:
            entry["notes"] = notes
        if matched:
            done = []
            for name, action in self.actions:
                detail = action.run(ctx, self) or {}
                done.append({"action": name, **detail})
                if detail.get("stop"):
                    entry["stop"] = True
                    break
            entry["actions"] = done
        entry["ms"] = round((time.perf_counter() - started) * 1000, 3)
        return entry


def compile_rules(rules: list[dict[str, Any]], problems: Problems, path: Path = ("rules",)
                  ) -> list[CompiledRule]:
    """Compile validated rules; every fault is recorded with its path and the rule's name."""
    most = expressions.limit("RULES_MAX_RULES")
    if len(rules) > most:
        problems.add(path, f"A process holds at most {most} rules; this one has {len(rules)}.")
        return []
    actions, most_actions = registry.actions(), expressions.limit("RULES_MAX_ACTIONS")
    compiled = []
    for i, rule in enumerate(rules):
        label = f"Rule '{rule['name']}'"
        if len(rule["actions"]) > most_actions:
            problems.add([*path, i, "actions"], f"A rule holds at most {most_actions} actions.", label)
            continue
        condition = None
        if rule.get("when") is not None:
            condition = ConditionCompiler(problems, label).condition(rule["when"], [*path, i, "when"])
        done = [_action(actions, spec, [*path, i, "actions", j], problems, label)
                for j, spec in enumerate(rule["actions"])]
        compiled.append(CompiledRule(rule["id"], rule["name"], rule["enabled"], rule.get("source"),
                                     rule.get("entity"), condition,
                                     tuple(a for a in done if a is not None)))
    return compiled


def _action(actions: dict[str, Any], spec: dict[str, Any], path: list, problems: Problems,
            label: str) -> tuple[str, Any] | None:
    name = spec.get("action")
    if name is None:
        problems.add([*path, "action"], "Missing data for required field.")
        return None
    if name not in actions:
        problems.add([*path, "action"], f"Unknown action '{name}'; use one of: "
                                        f"{', '.join(sorted(actions))}.")
        return None
    cls = actions[name]
    try:
        options = cls.Schema().load({k: v for k, v in spec.items() if k != "action"})
    except ValidationError as exc:
        problems.merge(path, exc)
        return None
    try:
        return name, cls(options)
    except ValidationError as exc:
        problems.merge(path, exc, label)
        return None
