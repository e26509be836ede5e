"""Processes and their immutable versions: create, edit (a new version each time), pin, route.

The runnable form of each process's active version is cached per worker process and dropped
when the process generation row moves, so the inline path pays one primary-key read for it.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import peewee
from marshmallow import ValidationError

from core import outbox
from core.db import db, is_sqlite
from core.errors import Conflict, NotFound, flatten_messages
from core.generation import GenerationCache
from core.problems import Problems
from integrations.inbound.models import Source
from processes import records
from processes.compiler import CompiledProcess, compile_definition, default_definition
from processes.models import Process, ProcessVersion

log = logging.getLogger(__name__)
DEFAULT_NAME = "default"
INDEX_JOB = "processes.jobs.index_keys"
_cache = GenerationCache("processes", lambda: {"routes": None, "compiled": {}})


def get_process(process_id: int) -> Process:
    """The process with this id or NotFound."""
    process = Process.get_or_none(Process.id == process_id)
    if process is None:
        raise NotFound(f"Process {process_id} does not exist.")
    return process


def get_version(process: Process, number: int) -> ProcessVersion:
    """A version of a process by its number, or NotFound."""
    version = ProcessVersion.get_or_none(ProcessVersion.process == process,
                                         ProcessVersion.number == number)
    if version is None:
        raise NotFound(f"Process {process.id} has no version {number}.")
    return version


def active_version(process: Process) -> ProcessVersion:
    """The version that runs for the process."""
    return ProcessVersion.get_by_id(process.active_version)


def _check_sources(sources: list[int], process: Process | None) -> None:
    problems = Problems()
    for i, source_id in enumerate(sources):
        if Source.get_or_none(Source.id == source_id) is None:
            problems.add(["sources", i], f"Source {source_id} does not exist.")
            continue
        for other in Process.select().where(Process.id != (process.id if process else 0)):
            if source_id in other.sources:
                problems.add(["sources", i], f"Source {source_id} already runs process '{other.name}'.")
    problems.check()


def _index_new_keys(definition: dict[str, Any], before: ProcessVersion | None) -> None:
    known = records.key_sets(before.definition) if before else set()
    for entity, fields in sorted(records.key_sets(definition) - known, key=str):
        outbox.add(INDEX_JOB, entity, list(fields))


class StaleVersion(Conflict):
    """An edit made from a version that is no longer the process's active one."""

    reason = "stale_version"


def _current(process: Process, base_version: int | None) -> ProcessVersion:
    """Lock the process for this transaction and read its active version afresh; refuse an
    edit made from another (base_version None: the edit applies to whatever is active)."""
    query = Process.select(Process.active_version).where(Process.id == process.id)
    # Two editors of one process take turns (SQLite writers always do).
    process.active_version = (query if is_sqlite() else query.for_update()).scalar()
    current = active_version(process)
    if base_version is not None and base_version != current.number:
        raise StaleVersion(f"Process {process.id} changed since version {base_version} you edited "
                           f"(now version {current.number}); reload and apply your change again.")
    return current


def _add_version(process: Process, definition: Any, before: ProcessVersion | None,
                 at: str | None = None) -> ProcessVersion:
    _, normalized = compile_definition(definition, at=at)
    _index_new_keys(normalized, before)
    number = (ProcessVersion.select(peewee.fn.MAX(ProcessVersion.number))
              .where(ProcessVersion.process == process).scalar() or 0) + 1
    version = ProcessVersion.create(process=process, number=number, definition=normalized,
                                    based_on=before.id if before else None)
    process.active_version = version.id
    process.save()
    _cache.bump()
    return version


def create_process(data: dict[str, Any]) -> Process:
    """Create a process with its first version (the stock definition unless one is given)."""
    if Process.get_or_none(Process.name == data["name"]):
        raise Conflict(f"Process '{data['name']}' already exists.")
    _check_sources(data["sources"], None)
    with db.atomic():
        if data["is_default"]:
            Process.update(is_default=False).execute()
        process = Process.create(name=data["name"], is_default=data["is_default"],
                                 sources=data["sources"])
        definition = data["definition"] if "definition" in data else default_definition()
        _add_version(process, definition, None, "definition")
    return process


def save_definition(process: Process, definition: Any, base_version: int | None = None
                    ) -> ProcessVersion:
    """Validate a whole definition and make it the process's new active version; refuse it when
    base_version (the version number it was made from) is no longer the active one."""
    return _save(process, base_version, lambda current: definition)


def edit_definition(process: Process, change: Callable[[dict[str, Any]], None],
                    base_version: int | None = None) -> ProcessVersion:
    """Apply a change to a copy of the active definition and save it as a new version; refuse it
    as save_definition does."""

    def changed(current: dict[str, Any]) -> dict[str, Any]:
        definition = copy.deepcopy(current)
        change(definition)
        return definition

    return _save(process, base_version, changed)


def _save(process: Process, base_version: int | None,
          new: Callable[[dict[str, Any]], Any]) -> ProcessVersion:
    with db.atomic():
        current = _current(process, base_version)
        version = _add_version(process, new(current.definition), current)
    return version


def update_process(process: Process, changes: dict[str, Any], base_version: int | None = None
                   ) -> Process:
    """Rename, re-route or make default (no new version); `active` makes a new version. All or
    nothing is saved, and nothing when base_version is no longer the active version."""
    if "name" in changes and changes["name"] != process.name and Process.get_or_none(
            Process.name == changes["name"]):
        raise Conflict(f"Process '{changes['name']}' already exists.")
    if changes.get("is_default") is False and process.is_default:
        raise ValidationError({"is_default": ["Make another process the default instead."]})
    if "sources" in changes:
        _check_sources(changes["sources"], process)
    with db.atomic():
        current = _current(process, base_version)
        if changes.get("is_default"):
            Process.update(is_default=False).where(Process.id != process.id).execute()
        for key in ("name", "is_default", "sources"):
            if key in changes:
                setattr(process, key, changes[key])
        process.save()
        _cache.bump()
        if "active" in changes:
            _add_version(process, {**current.definition, "active": changes["active"]}, current)
    return process


def activate_version(process: Process, number: int) -> ProcessVersion:
    """Pin the process to one of its versions (e.g. to roll an edit back)."""
    version = get_version(process, number)
    compile_definition(version.definition)
    with db.atomic():
        _index_new_keys(version.definition, active_version(process))
        process.active_version = version.id
        process.save()
        _cache.bump()
    return version


def ensure_default() -> None:
    """Create the default process with the stock definition when there is none."""
    if not Process.select().where(Process.is_default == True).exists():  # noqa: E712
        create_process({"name": DEFAULT_NAME, "is_default": True, "sources": []})


def _routes() -> dict[int | None, int | None]:
    """Active version ids by source id; None for the default process's."""
    routes: dict[int | None, int | None] = {}
    for process in Process.select(Process.is_default, Process.sources, Process.active_version):
        if process.is_default:
            routes[None] = process.active_version
        for source_id in process.sources:
            routes[source_id] = process.active_version
    return routes


def _compile_version(version_id: int | None) -> CompiledProcess:
    if version_id is None:
        return compile_definition(default_definition(), check=False)[0]
    version = ProcessVersion.get_by_id(version_id)
    try:
        return compile_definition(version.definition, check=False, process_id=version.process_id,
                                  version_id=version.id, number=version.number)[0]
    except ValidationError as exc:
        first = flatten_messages(exc.messages)[0]
        reason = (f"Process {version.process_id} version {version.number} cannot run: "
                  f"{first['field']}: {first['message']}")
        log.error("%s", reason)
        return CompiledProcess(version.process_id, version.id, version.number, True, [], [], [], {},
                               broken=reason)


def runnable(version_id: int | None, state: dict[str, Any] | None = None) -> CompiledProcess:
    """A version compiled once per worker until the next process edit (None: the stock one)."""
    compiled = (state or _cache.fresh())["compiled"]
    if version_id not in compiled:
        compiled[version_id] = _compile_version(version_id)
    return compiled[version_id]


def for_source(source_id: int | None) -> CompiledProcess:
    """The runnable active version of the process that handles a source's webhooks."""
    state = _cache.fresh()
    if state["routes"] is None:
        state["routes"] = _routes()
    routes = state["routes"]
    return runnable(routes[source_id] if source_id in routes else routes.get(None), state)
