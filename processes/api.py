"""REST API for records, processes and their versions, dry runs and reprocessing."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from core.auth import Role, require_role
from core.db import naive_utc
from core.http import json_body, load
from core.openapi import doc
from processes import definitions, records, reprocess, schemas, search
from processes.dryrun import dry_run
from processes.models import Process, ProcessVersion

bp = Blueprint("processes_api", __name__, url_prefix="/api/v1")
viewer = require_role(Role.VIEWER)
admin = require_role(Role.ADMIN)


@bp.get("/records")
@doc("List records: filter, search, sort", tags=["records"], query=schemas.RecordQuerySchema,
     response=schemas.RecordPageSchema)
@viewer
def list_records():
    args = schemas.RecordQuerySchema().load(request.args.to_dict())
    limit, offset = args.pop("limit"), args.pop("offset")
    for key in ("since", "until"):
        if key in args:
            args[key] = naive_utc(args[key])
    query = search.find(**args)
    items = query.limit(limit).offset(offset)
    return jsonify({"items": [records.record_dict(r) for r in items], "total": query.count()})


@bp.get("/records/<record_id>")
@doc("Get a record", tags=["records"], response=schemas.RecordOutSchema)
@viewer
def get_record(record_id: str):
    return jsonify(records.record_dict(records.get_record(record_id)))


@bp.get("/processes")
@doc("List processes", tags=["processes"], response=schemas.ProcessListSchema)
@admin
def list_processes():
    return jsonify({"items": [definitions.process_dict(p)
                              for p in Process.select().order_by(Process.id)]})


@bp.post("/processes")
@doc("Create a process (its first version)", tags=["processes"], body=schemas.ProcessSchema,
     response=schemas.ProcessOutSchema, status=201, errors=[409])
@admin
def create_process():
    return jsonify(definitions.process_dict(
        definitions.create_process(load(schemas.ProcessSchema())))), 201


@bp.get("/processes/<int:process_id>")
@doc("Get a process with its active definition", tags=["processes"],
     response=schemas.ProcessOutSchema)
@admin
def get_process(process_id: int):
    return jsonify(definitions.process_dict(definitions.get_process(process_id)))


@bp.patch("/processes/<int:process_id>")
@doc("Rename a process, change its sources, default flag or active flag",
     tags=["processes"], body=schemas.ProcessPatchSchema, response=schemas.ProcessOutSchema,
     errors=[409])
@admin
def update_process(process_id: int):
    process = definitions.get_process(process_id)
    changes = load(schemas.ProcessPatchSchema())
    base_version = changes.pop("base_version", None)
    return jsonify(definitions.process_dict(definitions.update_process(process, changes,
                                                                       base_version)))


@bp.put("/processes/<int:process_id>/definition")
@doc("Save a new version of the definition (it becomes active)", tags=["processes"],
     body=schemas.DefinitionEditSchema, response=schemas.VersionOutSchema, status=201,
     errors=[409])
@admin
def put_definition(process_id: int):
    process = definitions.get_process(process_id)
    definition, base_version = schemas.split_base_version(json_body())
    version = definitions.save_definition(process, definition, base_version)
    return jsonify(definitions.version_dict(version, process.active_version)), 201


@bp.get("/processes/<int:process_id>/versions")
@doc("List a process's versions, newest first", tags=["processes"],
     response=schemas.VersionListSchema)
@admin
def list_versions(process_id: int):
    process = definitions.get_process(process_id)
    versions = ProcessVersion.select().where(ProcessVersion.process == process).order_by(
        ProcessVersion.number.desc())
    return jsonify({"items": [definitions.version_dict(v, process.active_version) for v in versions]})


@bp.get("/processes/<int:process_id>/versions/<int:number>")
@doc("Get one version of a process", tags=["processes"], response=schemas.VersionOutSchema)
@admin
def get_version(process_id: int, number: int):
    process = definitions.get_process(process_id)
    return jsonify(definitions.version_dict(definitions.get_version(process, number),
                                            process.active_version))


@bp.post("/processes/<int:process_id>/versions/<int:number>/activate")
@doc("Make an earlier version the active one", tags=["processes"],
     response=schemas.VersionOutSchema, errors=[409])
@admin
def activate_version(process_id: int, number: int):
    process = definitions.get_process(process_id)
    version = definitions.activate_version(process, number)
    return jsonify(definitions.version_dict(version, process.active_version))


@bp.post("/processes/<int:process_id>/dry-run")
@doc("Run a payload through the process without storing anything", tags=["processes"],
     body=schemas.DryRunSchema, response=schemas.DryRunOutSchema)
@admin
def dry_run_process(process_id: int):
    process = definitions.get_process(process_id)
    return jsonify(dry_run(load(schemas.DryRunSchema()), process))


@bp.post("/processes/dry-run")
@doc("Run a payload through a draft definition without storing anything",
     tags=["processes"], body=schemas.DryRunSchema, response=schemas.DryRunOutSchema)
@admin
def dry_run_draft():
    data = load(schemas.DryRunSchema())
    if data.get("definition") is None:
        raise ValidationError({"definition": ["Missing data for required field."]})
    return jsonify(dry_run(data))


@bp.post("/webhooks/<int:webhook_id>/reprocess")
@doc("Reprocess a finished webhook; its records are updated, never duplicated",
     tags=["webhooks"], response=schemas.ReprocessOutSchema, errors=[409])
@admin
def reprocess_one(webhook_id: int):
    return jsonify(reprocess.reprocess(webhook_id))


@bp.post("/webhooks/reprocess")
@doc("Reprocess a page of finished webhooks matching the filters", tags=["webhooks"],
     body=schemas.ReprocessSchema, response=schemas.ReprocessPageOutSchema)
@admin
def reprocess_many():
    return jsonify(reprocess.reprocess_page(load(schemas.ReprocessSchema())))
