"""Pages: records for admins and viewers (search, filters, sort, paging, detail, CSV export)."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, stream_with_context, url_for

from core import web
from core.auth import Role
from core.db import naive_utc
from integrations.inbound.models import Source, Webhook
from lookups import catalog, service
from lookups.catalog import EntitySpec
from lookups.models import Entity
from processes import records, schemas, search
from processes.models import Record

bp = web.views_blueprint("processes_views", __name__)
LIST_FIELDS = 7
FILTERS = ("q", "source", "since", "until", "sort")


def _filters(entity: str) -> tuple[dict, dict]:
    """The search arguments of this request, and the raw values to put back in the form."""
    raw = {k: request.args[k].strip() for k in FILTERS if request.args.get(k, "").strip()}
    args = schemas.RecordQuerySchema().load({**raw, "entity": entity})
    args.pop("limit"), args.pop("offset")
    for key in ("since", "until"):
        if key in args:
            args[key] = naive_utc(args[key])
    field, value = request.args.get("field", ""), request.args.get("value", "")
    if field and value:
        raw.update(field=field, value=value)
        args["where"] = {field: value}
    return args, raw


def _lookup_names(spec: EntitySpec, rows: list[dict]) -> dict[str, dict[str, str]]:
    """For each lookup field: its row ids on this page mapped to their display names."""
    names = {}
    for field in spec.fields:
        if field.lookup:
            ids = {str(r[field.code]) for r in rows if r.get(field.code) is not None}
            names[field.code] = service.row_names(field.lookup, ids)
    return names


def _entity_or_default() -> EntitySpec | None:
    code = request.args.get("entity")
    if not code:
        latest = Record.select(Record.entity).order_by(Record.created_at.desc()).first()
        first = Entity.select(Entity.code).order_by(Entity.code).first()
        code = latest.entity if latest else (first.code if first else None)
    return catalog.entity(code) if code else None


@bp.get("/records")
@web.allow(Role.VIEWER)
def records_list():
    spec = _entity_or_default()
    entities = [e.code for e in Entity.select(Entity.code).order_by(Entity.code)]
    if spec is None:
        return render_template("processes/records.html", spec=None, entities=entities,
                               requested=request.args.get("entity")), \
            404 if request.args.get("entity") else 200
    errors: dict = {}
    try:
        args, raw = _filters(spec.code)
        query = search.find(**args)
        total = query.count()
    except web.FORM_ERRORS as err:
        errors, raw = web.form_errors(err), {}
        query = search.find(spec.code)
        total = query.count()
    pager = web.pager(total)
    page = list(query.limit(pager.size).offset(pager.offset))
    # Columns for the fields this page's records fill, so sparse entities stay readable.
    fields = [f for f in spec.fields if f.code != "Id"]
    filled = [f for f in fields if any(r.data.get(f.code) not in (None, "") for r in page)]
    shown = (filled or fields)[:LIST_FIELDS]
    return render_template(
        "processes/records.html", spec=spec, entities=entities, records=page, pager=pager,
        shown=shown, names=_lookup_names(spec, [r.data for r in page]), filters=raw,
        errors=errors, sort=raw.get("sort", "-created"),
        sources=Source.select(Source.id, Source.name).order_by(Source.name)), \
        400 if errors else 200


@bp.get("/records/export.csv")
@web.allow(Role.VIEWER)
def export_records():
    spec = _entity_or_default()
    if spec is None:
        return redirect(url_for("processes_views.records_list"))
    args, _ = _filters(spec.code)
    lines = search.csv_rows(search.find(**args), spec)
    return Response(stream_with_context(lines), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{spec.code}.csv"'})


@bp.get("/records/<record_id>")
@web.allow(Role.VIEWER)
def record(record_id: str):
    item = records.get_record(record_id)
    spec = catalog.entity(item.entity)
    webhook = (Webhook.select(Webhook, Source).join(Source).where(Webhook.id == item.webhook_id)
               .first() if item.webhook_id else None)
    return render_template("processes/record.html", record=item, spec=spec, webhook=webhook,
                           names=_lookup_names(spec, [item.data]) if spec else {})
