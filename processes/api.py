"""REST API for records, processes and their versions, dry runs and reprocessing."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from core.auth import Role, require_role
from core.db import naive_utc
from core.http import json_body
from core.openapi import JSON, ApiBlueprint, ErrorSchema, request_body
from processes import definitions, records, reprocess, schemas, search
from processes.dryrun import dry_run
from processes.models import Process, ProcessVersion, Record

bp = ApiBlueprint("processes_api", __name__, url_prefix="/api/v1")
viewer = require_role(Role.VIEWER)
admin = require_role(Role.ADMIN)


@bp.get("/records", tags=["records"])
@viewer
@bp.arguments(schemas.RecordQuerySchema, location="query")
@bp.response(200, schemas.RecordPageSchema)
def list_records(args: dict) -> dict:
    """List records: filter, search, sort"""
    limit, offset = args.pop("limit"), args.pop("offset")
    for key in ("since", "until"):
        if key in args:
            args[key] = naive_utc(args[key])
    query = search.find(**args)
    return {"items": query.limit(limit).offset(offset), "total": query.count()}


@bp.get("/records/<record_id>", tags=["records"])
@viewer
@bp.response(200, schemas.RecordSchema)
def get_record(record_id: str) -> Record:
    """Get a record"""
    return records.get_record(record_id)


@bp.get("/processes", tags=["processes"])
@admin
@bp.response(200, schemas.ProcessListSchema)
def list_processes() -> dict:
    """List processes"""
    return {"items": Process.select().order_by(Process.id)}


@bp.post("/processes", tags=["processes"])
@admin
@bp.arguments(schemas.ProcessSchema)
@bp.response(201, schemas.ProcessSchema)
@bp.alt_response(409, schema=ErrorSchema)
def create_process(data: dict) -> Process:
    """Create a process (its first version)"""
    return definitions.create_process(data)


@bp.get("/processes/<int:process_id>", tags=["processes"])
@admin
@bp.response(200, schemas.ProcessSchema)
def get_process(process_id: int) -> Process:
    """Get a process with its active definition"""
    return definitions.get_process(process_id)


@bp.patch("/processes/<int:process_id>", tags=["processes"])
@admin
@bp.arguments(schemas.ProcessPatchSchema)
@bp.response(200, schemas.ProcessSchema)
@bp.alt_response(409, schema=ErrorSchema)
def update_process(changes: dict, process_id: int) -> Process:
    """Rename a process, change its sources, default flag or active flag"""
    base_version = changes.pop("base_version", None)
    return definitions.update_process(definitions.get_process(process_id), changes, base_version)


@bp.put("/processes/<int:process_id>/definition", tags=["processes"])
@admin
@bp.doc(**request_body({JSON: schemas.DefinitionEditSchema}))
@bp.response(201, schemas.VersionSchema)
@bp.alt_response(409, schema=ErrorSchema)
def put_definition(process_id: int) -> ProcessVersion:
    """Save a new version of the definition (it becomes active)"""
    definition, base_version = schemas.split_base_version(json_body())
    return definitions.save_definition(definitions.get_process(process_id), definition, base_version)


@bp.get("/processes/<int:process_id>/versions", tags=["processes"])
@admin
@bp.response(200, schemas.VersionListSchema)
def list_versions(process_id: int) -> dict:
    """List a process's versions, newest first"""
    process = definitions.get_process(process_id)
    return {"items": ProcessVersion.select(ProcessVersion, Process).join(Process)
            .where(ProcessVersion.process == process).order_by(ProcessVersion.number.desc())}


@bp.get("/processes/<int:process_id>/versions/<int:number>", tags=["processes"])
@admin
@bp.response(200, schemas.VersionSchema)
def get_version(process_id: int, number: int) -> ProcessVersion:
    """Get one version of a process"""
    return definitions.get_version(definitions.get_process(process_id), number)


@bp.post("/processes/<int:process_id>/versions/<int:number>/activate", tags=["processes"])
@admin
@bp.response(200, schemas.VersionSchema)
@bp.alt_response(409, schema=ErrorSchema)
def activate_version(process_id: int, number: int) -> ProcessVersion:
    """Make an earlier version the active one"""
    return definitions.activate_version(definitions.get_process(process_id), number)


@bp.post("/processes/<int:process_id>/dry-run", tags=["processes"])
@admin
@bp.arguments(schemas.DryRunSchema)
@bp.response(200, schemas.DryRunOutSchema)
def dry_run_process(data: dict, process_id: int) -> dict[str, Any]:
    """Run a payload through the process without storing anything"""
    return dry_run(data, definitions.get_process(process_id))


@bp.post("/processes/dry-run", tags=["processes"])
@admin
@bp.arguments(schemas.DryRunSchema)
@bp.response(200, schemas.DryRunOutSchema)
def dry_run_draft(data: dict) -> dict[str, Any]:
    """Run a payload through a draft definition without storing anything"""
    if data.get("definition") is None:
        raise ValidationError({"definition": ["Missing data for required field."]})
    return dry_run(data)


@bp.post("/webhooks/<int:webhook_id>/reprocess", tags=["webhooks"])
@admin
@bp.response(200, schemas.ReprocessOutSchema)
@bp.alt_response(409, schema=ErrorSchema)
def reprocess_one(webhook_id: int) -> dict[str, Any]:
    """Reprocess a finished webhook; its records are updated, never duplicated"""
    return reprocess.reprocess(webhook_id)


@bp.post("/webhooks/reprocess", tags=["webhooks"])
@admin
@bp.arguments(schemas.ReprocessSchema)
@bp.response(200, schemas.ReprocessPageOutSchema)
def reprocess_many(data: dict) -> dict[str, Any]:
    """Reprocess a page of finished webhooks matching the filters"""
    return reprocess.reprocess_page(data)
