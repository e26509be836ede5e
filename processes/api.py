"""REST API for records, processes and their versions, dry runs and reprocessing."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from core.auth import Role, require_role
from core.http import json_body, load, paging
from processes import definitions, records, reprocess, schemas
from processes.dryrun import dry_run
from processes.models import Process, ProcessVersion, Record

bp = Blueprint("processes_api", __name__, url_prefix="/api/v1")
viewer = require_role(Role.VIEWER)
admin = require_role(Role.ADMIN)


@bp.get("/records")
@viewer
def list_records():
    limit, offset = paging()
    query = Record.select()
    if request.args.get("entity"):
        query = query.where(Record.entity == request.args["entity"])
    if request.args.get("webhook"):
        query = query.where(Record.webhook == request.args.get("webhook", type=int))
    total = query.count()
    items = query.order_by(Record.created_at.desc(), Record.id).limit(limit).offset(offset)
    return jsonify({"items": [records.record_dict(r) for r in items], "total": total})


@bp.get("/records/<record_id>")
@viewer
def get_record(record_id: str):
    return jsonify(records.record_dict(records.get_record(record_id)))


@bp.get("/processes")
@admin
def list_processes():
    return jsonify({"items": [definitions.process_dict(p)
                              for p in Process.select().order_by(Process.id)]})


@bp.post("/processes")
@admin
def create_process():
    return jsonify(definitions.process_dict(
        definitions.create_process(load(schemas.ProcessSchema())))), 201


@bp.get("/processes/<int:process_id>")
@admin
def get_process(process_id: int):
    return jsonify(definitions.process_dict(definitions.get_process(process_id)))


@bp.patch("/processes/<int:process_id>")
@admin
def update_process(process_id: int):
    process = definitions.update_process(definitions.get_process(process_id),
                                         load(schemas.ProcessPatchSchema()))
    return jsonify(definitions.process_dict(process))


@bp.put("/processes/<int:process_id>/definition")
@admin
def put_definition(process_id: int):
    process = definitions.get_process(process_id)
    version = definitions.save_definition(process, json_body())
    return jsonify(definitions.version_dict(version, process.active_version)), 201


@bp.get("/processes/<int:process_id>/versions")
@admin
def list_versions(process_id: int):
    process = definitions.get_process(process_id)
    versions = ProcessVersion.select().where(ProcessVersion.process == process).order_by(
        ProcessVersion.number.desc())
    return jsonify({"items": [definitions.version_dict(v, process.active_version) for v in versions]})


@bp.get("/processes/<int:process_id>/versions/<int:number>")
@admin
def get_version(process_id: int, number: int):
    process = definitions.get_process(process_id)
    return jsonify(definitions.version_dict(definitions.get_version(process, number),
                                            process.active_version))


@bp.post("/processes/<int:process_id>/versions/<int:number>/activate")
@admin
def activate_version(process_id: int, number: int):
    process = definitions.get_process(process_id)
    version = definitions.activate_version(process, number)
    return jsonify(definitions.version_dict(version, process.active_version))


@bp.post("/processes/<int:process_id>/dry-run")
@admin
def dry_run_process(process_id: int):
    process = definitions.get_process(process_id)
    return jsonify(dry_run(load(schemas.DryRunSchema()), process))


@bp.post("/processes/dry-run")
@admin
def dry_run_draft():
    data = load(schemas.DryRunSchema())
    if data.get("definition") is None:
        raise ValidationError({"definition": ["Missing data for required field."]})
    return jsonify(dry_run(data))


@bp.post("/webhooks/<int:webhook_id>/reprocess")
@admin
def reprocess_one(webhook_id: int):
    return jsonify(reprocess.reprocess(webhook_id))


@bp.post("/webhooks/reprocess")
@admin
def reprocess_many():
    return jsonify(reprocess.reprocess_page(load(schemas.ReprocessSchema())))
