"""REST API for records."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from core.auth import Role, require_role
from core.http import paging
from processes import records
from processes.models import Record

bp = Blueprint("processes_api", __name__, url_prefix="/api/v1")
viewer = require_role(Role.VIEWER)


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
