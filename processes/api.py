"""REST API for records."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.auth import Role, require_role
from core.db import naive_utc
from core.openapi import doc
from processes import records, schemas

bp = Blueprint("processes_api", __name__, url_prefix="/api/v1")
viewer = require_role(Role.VIEWER)


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
    query = records.search(**args)
    items = query.limit(limit).offset(offset)
    return jsonify({"items": [records.record_dict(r) for r in items], "total": query.count()})


@bp.get("/records/<record_id>")
@doc("Get a record", tags=["records"], response=schemas.RecordOutSchema)
@viewer
def get_record(record_id: str):
    return jsonify(records.record_dict(records.get_record(record_id)))
