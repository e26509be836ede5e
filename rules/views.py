"""Pages: a process's rules, each edited as JSON, with the messages shown at the rule they name."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from core import web
from core.errors import flatten_messages
from core.strict_json import read_json
from processes.definitions import StaleVersion, active_version, get_process
from processes.models import Process
from processes.schemas import base_version
from rules import service

bp = web.views_blueprint("rules_views", __name__)
NEW = "new"


def _page(process: Process, errors: dict | None = None, texts: dict | None = None,
          status: int = 200):
    version = active_version(process)
    rules = [(rule["id"], json.dumps({k: v for k, v in rule.items() if k != "id"}, indent=2))
             for rule in version.definition["rules"]]
    return render_template("rules/rules.html", process=process, version=version,
                           rules=rules, texts=texts or {}, errors=errors or {}, new=NEW), status


def _posted_rule(key: str) -> dict[str, Any]:
    text = request.form.get("rule", "")
    try:
        rule = read_json(text)
    except ValueError as exc:
        raise ValidationError({"_schema": [f"Not JSON: {exc}."]}) from None
    if not isinstance(rule, dict):
        raise ValidationError({"_schema": ["A rule is a JSON object."]})
    return rule


@bp.errorhandler(StaleVersion)
def _stale(err: StaleVersion):
    """The page as it now stands, with why the edit was refused."""
    flash(err.message, "error")
    return _page(get_process(request.view_args["process_id"]), status=err.status)


def _shown(process: Process):
    return redirect(url_for("rules_views.rules", process_id=process.id))


def _saved(process: Process, key: str, save) -> Any:
    """Save a rule; on a fault, the page again with its messages at that rule and its text kept."""
    try:
        version = save(_posted_rule(key), base_version(request.form))
    except ValidationError as err:
        messages = [(e["field"], e["message"]) for e in flatten_messages(err.messages)]
        return _page(process, {key: messages}, {key: request.form.get("rule", "")}, 400)
    flash(f"The rules are saved as version {version.number}.", "ok")
    return _shown(process)


@bp.get("/processes/<int:process_id>/rules")
def rules(process_id: int):
    return _page(get_process(process_id))


@bp.post("/processes/<int:process_id>/rules")
def add_rule(process_id: int):
    process = get_process(process_id)
    return _saved(process, NEW, lambda rule, base: service.add_rule(process, rule,
                                                                     base_version=base))


@bp.post("/processes/<int:process_id>/rules/<rule_id>")
def replace_rule(process_id: int, rule_id: str):
    process = get_process(process_id)
    service.get_rule(process, rule_id)
    return _saved(process, rule_id,
                  lambda rule, base: service.replace_rule(process, rule_id, rule, base))


@bp.post("/processes/<int:process_id>/rules/<rule_id>/delete")
def delete_rule(process_id: int, rule_id: str):
    process = get_process(process_id)
    version = service.delete_rule(process, rule_id, base_version(request.form))
    flash(f"Rule {rule_id} is removed; version {version.number} is active.", "ok")
    return _shown(process)


@bp.post("/processes/<int:process_id>/rules/<rule_id>/move/<any(up, down):direction>")
def move_rule(process_id: int, rule_id: str, direction: str):
    process = get_process(process_id)
    version = service.move_rule(process, rule_id, -1 if direction == "up" else 1,
                                base_version(request.form))
    flash(f"The rules are reordered as version {version.number}.", "ok")
    return _shown(process)
