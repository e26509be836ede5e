"""Pages: processes, their steps and options, overrides, mappings, versions and the dry run."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError, fields, validate

from core import plugins as registry
from core import web
from core.errors import flatten_messages
from core.strict_json import read_json
from integrations.inbound.models import Source
from processes import definitions, editing, schemas
from processes.definitions import StaleVersion
from processes.dryrun import dry_run
from processes.models import Process, ProcessVersion

bp = web.views_blueprint("process_definition_views", __name__)


def _inputs(step: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
    """How each option of a step's Options schema is edited: a checkbox, a choice, text or JSON."""
    inputs = []
    for name, spec in step.Options().fields.items():
        value = options.get(name)
        choices = [v.choices for v in spec.validators if isinstance(v, validate.OneOf)]
        if isinstance(spec, fields.Boolean):
            kind = "bool"
        elif choices:
            kind = "choice"
        elif isinstance(spec, fields.List | fields.Dict):
            kind, value = "json", json.dumps(value)
        else:
            kind = "text"
        inputs.append({"name": name, "kind": kind, "value": value,
                       "choices": list(choices[0]) if choices else []})
    return inputs


def _posted_options(step: Any) -> dict[str, Any]:
    """The step's options from the form (defaults for those left out); text that is not JSON is
    left for the schema to refuse."""
    options: dict[str, Any] = {}
    for item in _inputs(step, {}):
        name = item["name"]
        if item["kind"] == "bool":
            options[name] = web.checkbox(name)
            continue
        if name not in request.form:
            continue
        raw = request.form[name]
        if item["kind"] == "json":
            try:
                options[name] = read_json(raw)
            except ValueError:
                options[name] = raw
        else:
            options[name] = raw
    return options


def _by_prefix(err: ValidationError, prefix: str) -> dict[str, str]:
    """Messages whose path starts with prefix, keyed by the rest of the path."""
    found = {}
    for e in reversed(flatten_messages(err.messages)):
        if e["field"] == prefix or e["field"].startswith(prefix + "."):
            found[e["field"][len(prefix) + 1:] or "_form"] = e["message"]
    return found or {"_form": "; ".join(f"{e['field']}: {e['message']}"
                                        for e in flatten_messages(err.messages))}


def _process_page(process: Process, errors: dict | None = None, texts: dict | None = None,
                  status: int = 200):
    version = definitions.active_version(process)
    definition = version.definition
    steps = registry.steps()
    shown = [{"index": i, "name": s["name"], "enabled": s["enabled"],
              "inputs": _inputs(steps[s["name"]], s["options"]) if s["name"] in steps else []}
             for i, s in enumerate(definition["steps"])]
    lists = {key: json.dumps(definition[key], indent=2) for key in editing.LISTS}
    return render_template("processes/definitions/process.html", process=process,
                           version=version, steps=shown,
                           lists={**lists, **(texts or {})}, errors=errors or {},
                           sources=Source.select().where(Source.id.in_(process.sources or [0]))
                           ), status


@bp.get("/processes")
def processes_list():
    items = [(p, definitions.active_version(p)) for p in Process.select().order_by(Process.id)]
    return render_template("processes/definitions/list.html", items=items)


@bp.get("/processes/<int:process_id>")
def process(process_id: int):
    return _process_page(definitions.get_process(process_id))


@bp.errorhandler(StaleVersion)
def _stale(err: StaleVersion):
    """The page as it now stands, with why the edit was refused."""
    flash(err.message, "error")
    return _process_page(definitions.get_process(request.view_args["process_id"]), status=err.status)


def _shown(process: Process):
    return redirect(url_for("process_definition_views.process", process_id=process.id))


@bp.post("/processes/<int:process_id>/steps/<int:index>")
def save_step(process_id: int, index: int):
    process = definitions.get_process(process_id)
    name = editing.step_name(process, index)
    options = _posted_options(registry.steps()[name])
    try:
        version = editing.save_step(process, index, web.checkbox("enabled"), options,
                                    schemas.base_version(request.form))
    except ValidationError as err:
        return _process_page(process, {f"step-{index}": _by_prefix(err, f"steps.{index}.options")},
                             status=400)
    flash(f"Step {name} is saved as version {version.number}.", "ok")
    return _shown(process)


@bp.post("/processes/<int:process_id>/steps/<int:index>/move/<any(up, down):direction>")
def move_step(process_id: int, index: int, direction: str):
    process = definitions.get_process(process_id)
    try:
        version = editing.move_step(process, index, -1 if direction == "up" else 1,
                                    schemas.base_version(request.form))
        flash(f"The steps are reordered as version {version.number}.", "ok")
    except ValidationError as err:
        flash("; ".join(e["message"] for e in flatten_messages(err.messages)), "error")
    return _shown(process)


@bp.post("/processes/<int:process_id>/<any(overrides, mappings):part>")
def save_list(process_id: int, part: str):
    process = definitions.get_process(process_id)
    text = request.form.get(part, "")
    try:
        value = read_json(text)
    except ValueError as exc:
        return _process_page(process, {part: {"_form": f"Not JSON: {exc}."}}, {part: text}, 400)
    try:
        version = editing.save_list(process, part, value, schemas.base_version(request.form))
    except ValidationError as err:
        return _process_page(process, {part: _by_prefix(err, part)}, {part: text}, 400)
    flash(f"The {part} are saved as version {version.number}.", "ok")
    return _shown(process)


@bp.get("/processes/<int:process_id>/versions")
def versions(process_id: int):
    process = definitions.get_process(process_id)
    items = ProcessVersion.select().where(ProcessVersion.process == process).order_by(
        ProcessVersion.number.desc())
    return render_template("processes/definitions/versions.html", process=process, items=items)


@bp.get("/processes/<int:process_id>/versions/<int:number>")
def version(process_id: int, number: int):
    process = definitions.get_process(process_id)
    return render_template("processes/definitions/version.html", process=process,
                           version=definitions.get_version(process, number))


@bp.post("/processes/<int:process_id>/versions/<int:number>/activate")
def activate(process_id: int, number: int):
    process = definitions.get_process(process_id)
    definitions.activate_version(process, number)
    flash(f"Version {number} of {process.name} is now active.", "ok")
    return redirect(url_for("process_definition_views.versions", process_id=process.id))


def _dry_run_page(process: Process, form: dict, errors: dict | None = None,
                  result: dict | None = None, status: int = 200):
    return render_template("processes/definitions/dry_run.html", process=process, form=form,
                           errors=errors or {}, result=result, content_types=schemas.CONTENT_TYPES,
                           sources=[(s.id, s.name) for s in Source.select().order_by(Source.name)]
                           ), status


@bp.get("/processes/<int:process_id>/dry-run")
def dry_run_form(process_id: int):
    return _dry_run_page(definitions.get_process(process_id), {})


@bp.post("/processes/<int:process_id>/dry-run")
def run_dry_run(process_id: int):
    process = definitions.get_process(process_id)
    form = request.form.to_dict()
    try:
        payload = read_json(form.get("payload", ""))
    except ValueError as exc:
        return _dry_run_page(process, form, {"payload": f"Not JSON: {exc}."}, status=400)
    try:
        data = schemas.DryRunSchema().load({
            "payload": payload, "source": form.get("source") or None,
            "content_type": form.get("content_type", "application/json")})
        result = dry_run(data, process)
    except web.FORM_ERRORS as err:
        return _dry_run_page(process, form, web.form_errors(err), status=web.status_of(err))
    return _dry_run_page(process, form, result=result)
