"""Turn a process definition (JSON) into a runnable process, reporting every fault by its path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from core import plugins as registry
from core.problems import Problems
from integrations.inbound.models import Source
from lookups import catalog
from processes.definition_format import CURRENT_FORMAT, upgrade
from processes.schemas import DefinitionSchema
from processes.steps.manual_mapping import Mapping, compile_mapping
from rules import expressions

DEFAULT_STEPS = ["dedupe", "parse", "map", "typecheck", "resolve", "rules", "create"]


@dataclass(frozen=True)
class StepPlan:
    name: str
    step: Any
    enabled: bool
    options: dict[str, Any]


@dataclass
class CompiledProcess:
    """A process version ready to run; step options per (source, entity) are merged once."""

    process_id: int | None
    version_id: int | None
    version_number: int | None
    active: bool
    steps: list[StepPlan]
    overrides: list[dict[str, Any]]
    mappings: list[Mapping]
    parts: dict[str, Any]  # what steps compiled from the definition for themselves, by step
    broken: str | None = None
    _plans: dict[tuple[int | None, str | None], list[StepPlan]] = field(default_factory=dict)

    def plan(self, source_id: int | None, entity: str | None) -> list[StepPlan]:
        """The steps with the overrides for this source and entity applied (entity None: not
        yet known, so only source overrides apply)."""
        key = (source_id, entity)
        if key not in self._plans:
            self._plans[key] = self._merge(source_id, entity)
        return self._plans[key]

    def _merge(self, source_id: int | None, entity: str | None) -> list[StepPlan]:
        applicable = [o for o in self.overrides
                      if o["source"] in (None, source_id) and o["entity"] in (None, entity)]
        # Entity overrides, then source overrides, then those naming both: the most specific wins.
        applicable.sort(key=lambda o: (o["source"] is not None and o["entity"] is not None,
                                       o["source"] is not None))
        plan = []
        for step in self.steps:
            enabled, options = step.enabled, dict(step.options)
            for override in applicable:
                if override["step"] == step.name:
                    if override["enabled"] is not None:
                        enabled = override["enabled"]
                    options.update(override["options"])
            plan.append(StepPlan(step.name, step.step, enabled, options))
        return plan

    def options(self, name: str, source_id: int | None, entity: str | None) -> dict[str, Any] | None:
        """The options of an enabled step in this scope, or None when it is off or absent."""
        for step in self.plan(source_id, entity):
            if step.name == name:
                return step.options if step.enabled else None
        return None


def default_definition() -> dict[str, Any]:
    """The stock process: every built-in step, enabled, with its default options."""
    steps = registry.steps()
    return {"format": CURRENT_FORMAT, "active": True,
            "steps": [{"name": name, "enabled": True, "options": steps[name].Options().load({})}
                      for name in DEFAULT_STEPS],
            "overrides": [], "mappings": [], "rules": []}


def compile_definition(definition: Any, check: bool = True, process_id: int | None = None,
                       version_id: int | None = None, number: int | None = None, at: str | None = None
                       ) -> tuple[CompiledProcess, dict[str, Any]]:
    """Validate and compile a definition; return it runnable and normalized (defaults filled,
    rule ids given). `check` also checks the entities and sources it names exist; `at` is the
    key of the request body the definition came in, put in front of every error's path."""
    try:
        return _compile(definition, check, process_id, version_id, number)
    except ValidationError as exc:
        if at is None:
            raise
        raise ValidationError({at: exc.messages}) from None


def _compile(definition: Any, check: bool, process_id: int | None, version_id: int | None,
             number: int | None) -> tuple[CompiledProcess, dict[str, Any]]:
    if not isinstance(definition, dict):
        raise ValidationError({"_schema": ["A definition is a JSON object."]})
    data = DefinitionSchema().load(upgrade(definition))
    problems = Problems()
    steps = _steps(data, problems)
    names = [s["name"] for s in data["steps"]]
    _overrides(data, names, problems, check)
    mappings = _mappings(data, problems, check)
    _rule_refs(data, problems, check)
    parts = {name: step.prepare(data, problems) for name, step in registry.steps().items()
             if hasattr(step, "prepare")}
    problems.check()
    compiled = CompiledProcess(process_id, version_id, number, data["active"], steps,
                               data["overrides"], mappings, parts)
    data["steps"] = [{"name": s.name, "enabled": s.enabled, "options": s.options} for s in steps]
    return compiled, data


def _steps(data: dict[str, Any], problems: Problems) -> list[StepPlan]:
    registered = registry.steps()
    names = [s["name"] for s in data["steps"]]
    entity_from = names.index("map") if "map" in names else None
    plans = []
    for i, spec in enumerate(data["steps"]):
        name, path = spec["name"], ["steps", i]
        step = registered.get(name)
        if step is None:
            problems.add([*path, "name"], f"Unknown step '{name}'; use one of: "
                                          f"{', '.join(sorted(registered))}.")
            continue
        if names.index(name) != i:
            problems.add([*path, "name"], f"Step '{name}' appears more than once.")
        elif getattr(step, "NEEDS_ENTITY", False) and (entity_from is None or i < entity_from):
            problems.add([*path, "name"], f"Step '{name}' needs the entity, so it comes after 'map'.")
        try:
            options = step.Options().load(spec["options"])
        except ValidationError as exc:
            problems.merge([*path, "options"], exc)
            continue
        plans.append(StepPlan(name, step, spec["enabled"], options))
    return plans


def _overrides(data: dict[str, Any], names: list[str], problems: Problems, check: bool) -> None:
    registered = registry.steps()
    entity_from = names.index("map") + 1 if "map" in names else len(names)
    for i, override in enumerate(data["overrides"]):
        path, name = ["overrides", i], override["step"]
        if name not in names or name not in registered:
            problems.add([*path, "step"], f"Step '{name}' is not in this process.")
            continue
        if override["entity"] is not None and names.index(name) < entity_from:
            problems.add([*path, "entity"], f"Step '{name}' runs before the entity is known; "
                                            "override it per source only.")
        try:
            override["options"] = registered[name].Options().load(override["options"], partial=True)
        except ValidationError as exc:
            problems.merge([*path, "options"], exc)
        if check:
            _check_scope(override, path, problems)


def _check_scope(item: dict[str, Any], path: list, problems: Problems) -> None:
    if item.get("entity") is not None and catalog.entity(item["entity"]) is None:
        problems.add([*path, "entity"], f"Entity '{item['entity']}' does not exist.")
    if item.get("source") is not None and Source.get_or_none(Source.id == item["source"]) is None:
        problems.add([*path, "source"], f"Source {item['source']} does not exist.")


def _mappings(data: dict[str, Any], problems: Problems, check: bool) -> list[Mapping]:
    compiled = []
    for i, spec in enumerate(data["mappings"]):
        path = ["mappings", i]
        try:
            compiled.append(compile_mapping(i, spec))
        except expressions.ExpressionError as exc:
            problems.add([*path, "from"], str(exc), f"Mapping to '{spec['to']}'")
        if not check:
            continue
        _check_scope(spec, path, problems)
        entity = catalog.entity(spec["entity"]) if spec["entity"] else None
        if entity is not None and entity.field(spec["to"]) is None:
            problems.add([*path, "to"], f"'{spec['to']}' is not a field of {entity.code}.")
    return compiled


def _rule_refs(data: dict[str, Any], problems: Problems, check: bool) -> None:
    seen = set()
    for i, rule in enumerate(data["rules"]):
        rule.setdefault("id", uuid.uuid4().hex[:8])
        if rule["id"] in seen:
            problems.add(["rules", i, "id"], f"Rule id '{rule['id']}' is used twice.")
        seen.add(rule["id"])
        if check:
            _check_scope(rule, ["rules", i], problems)
