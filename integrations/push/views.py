"""Pages: push connections, their settings, tests, secrets, delivery log and retries."""

from __future__ import annotations

import json
from typing import Any

import marshmallow
from flask import flash, redirect, render_template, request, url_for

from core import masking, web
from core.db import get_or_404
from core.errors import HookhubError
from integrations.inbound.models import Source
from integrations.push import connections, delivery_log, pings
from integrations.push import schemas as push_schemas
from integrations.push.connections import AuthType, PushConnection
from integrations.push.delivery import DeliveryAttempt, queue_resend, requeue
from integrations.push.events import EventType
from lookups.models import Entity

bp = web.views_blueprint("push_views", __name__)
LOG_PAGE = 50
# Form fields whose errors are shown at one input although the schema names an item.
LIST_FIELDS = ("event_types", "entities", "sources", "headers")


def _words(name: str) -> list[str]:
    return [w for w in request.form.get(name, "").replace(",", " ").split() if w]


def _headers() -> list[dict[str, str]]:
    lines = [line for line in request.form.get("headers", "").splitlines() if line.strip()]
    return [{"name": name.strip(), "value": value.strip()}
            for name, _, value in (line.partition(":") for line in lines)]


def _auth(conn: PushConnection | None) -> dict[str, str] | None:
    kind = request.form.get("auth_type", AuthType.NONE.value)
    given = {k: request.form[k] for k in ("username", "password", "token")
             if request.form.get(k) and (k == "token") == (kind == AuthType.BEARER)}
    if kind == AuthType.NONE:
        given = {}
    # Stored credentials are never shown; an edit that leaves them blank keeps them.
    if conn is not None and kind == conn.auth_type and not ({"password", "token"} & set(given)):
        return None
    return {"type": kind, **given}


def _connection_form(conn: PushConnection | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": request.form.get("name", "").strip(), "url": request.form.get("url", "").strip(),
        "version": request.form.get("version", "").strip() or "1",
        "event_types": _words("event_types"), "entities": request.form.getlist("entities"),
        "sources": [int(s) if s.isdigit() else s for s in request.form.getlist("sources")],
        "condition": request.form.get("condition", "").strip() or None,
        "headers": _headers(), "attach_files": web.checkbox("attach_files")}
    auth = _auth(conn)
    if auth is not None:
        data["auth"] = auth
    return data


def _errors(err: Exception) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, message in web.form_errors(err).items():
        head = key.split(".")[0]
        name = head if head in LIST_FIELDS else key.removeprefix("auth.")
        if head in LIST_FIELDS and key != head:
            message = f"{key.removeprefix(head + '.')}: {message}"
        errors.setdefault(name, message)
    return errors


def _shown(conn: PushConnection | None = None) -> dict[str, Any]:
    """The values a connection's form shows: those just sent, else the connection's own."""
    if conn is None:
        form = request.form
        return {"name": form.get("name", ""), "url": form.get("url", ""),
                "version": form.get("version", ""), "event_types": form.get("event_types", ""),
                "entities": form.getlist("entities"), "sources": form.getlist("sources"),
                "condition": form.get("condition", ""), "headers": form.get("headers", ""),
                "auth_type": form.get("auth_type", AuthType.NONE.value),
                "username": form.get("username", ""), "attach_files": web.checkbox("attach_files")}
    return {"name": conn.name, "url": conn.url, "version": conn.version,
            "event_types": ", ".join(conn.event_types), "entities": conn.entities,
            "sources": [str(s) for s in conn.sources], "condition": conn.condition or "",
            "headers": "\n".join(f"{h['name']}: {h['value']}" for h in masking.header_list(conn.headers)),
            "auth_type": conn.auth_type, "username": conn.auth_username or "",
            "attach_files": conn.attach_files}


def _choices() -> dict[str, Any]:
    return {"all_entities": [(e.code, e.code) for e in Entity.select(Entity.code).order_by(Entity.code)],
            "all_sources": [(s.id, s.name) for s in Source.select(Source.id, Source.name)
                            .order_by(Source.name)],
            "auth_types": [a.value for a in AuthType],
            "known_events": [e.value for e in EventType if e != EventType.PING]}


@bp.get("/push")
def connections_list():
    conns = PushConnection.select().order_by(PushConnection.name)
    return render_template("push/connections.html", connections=conns)


def _new_page(errors: dict | None = None, status: int = 200):
    return render_template("push/new.html", errors=errors or {}, v=_shown(),
                           **_choices()), status


@bp.get("/push/new")
def new_connection():
    return _new_page()


@bp.post("/push")
def create_connection():
    try:
        data = push_schemas.ConnectionSchema().load(_connection_form())
        conn, secret = connections.create_connection(data)
    except web.FORM_ERRORS as err:
        return _new_page(_errors(err), web.status_of(err))
    return _connection_page(conn, secret=secret, status=201)


def _connection_page(conn: PushConnection, secret: str | None = None, errors: dict | None = None,
                     test: dict | None = None, status: int = 200, from_form: bool = False):
    recent = [push_schemas.AttemptSchema().dump(a)
              for a in delivery_log.attempts(DeliveryAttempt.connection == conn.id, {"limit": 10})]
    return render_template("push/connection.html", conn=conn, info=push_schemas.ConnectionSchema().dump(conn),
                           secret=secret, errors=errors or {}, test=test, recent=recent,
                           v=_shown(None if from_form else conn), **_choices()), status


@bp.get("/push/<int:connection_id>")
def connection(connection_id: int):
    conn = connections.get_connection(connection_id)
    test = pings.outcome_for(request.args.get("test"),
                             {"kind": pings.PingKind.CONNECTION.value, "id": conn.id})
    return _connection_page(conn, test=test)


@bp.post("/push/<int:connection_id>")
def update_connection(connection_id: int):
    conn = connections.get_connection(connection_id)
    try:
        data = push_schemas.ConnectionSchema(partial=True).load(_connection_form(conn))
        connections.update_connection(conn, data)
    except web.FORM_ERRORS as err:
        conn = connections.get_connection(connection_id)
        return _connection_page(conn, errors=_errors(err), status=web.status_of(err),
                                from_form=True)
    flash(f"Push connection {conn.name} is saved.", "ok")
    return redirect(url_for("push_views.connection", connection_id=conn.id))


@bp.post("/push/<int:connection_id>/enable")
def enable(connection_id: int):
    conn = connections.set_enabled(connections.get_connection(connection_id), True)
    flash(f"Push connection {conn.name} is enabled.", "ok")
    return redirect(url_for("push_views.connection", connection_id=conn.id))


@bp.post("/push/<int:connection_id>/disable")
def disable(connection_id: int):
    conn = connections.set_enabled(connections.get_connection(connection_id), False,
                                   "Disabled by an admin.")
    flash(f"Push connection {conn.name} is disabled.", "ok")
    return redirect(url_for("push_views.connection", connection_id=conn.id))


@bp.post("/push/<int:connection_id>/rotate")
def rotate(connection_id: int):
    conn = connections.get_connection(connection_id)
    try:
        overlap = push_schemas.RotateSchema().load(
            {k: v for k, v in request.form.items() if k == "overlap_seconds" and v})
    except marshmallow.ValidationError as err:
        return _connection_page(conn, errors=_errors(err), status=400)
    return _connection_page(conn, secret=connections.rotate_secret(conn, overlap["overlap_seconds"]))


@bp.post("/push/<int:connection_id>/test")
def test(connection_id: int):
    conn = connections.get_connection(connection_id)
    try:
        started = pings.start_connection(conn.id)
    except HookhubError as err:
        return _connection_page(conn, errors={"_form": err.message}, status=err.status)
    # The page shows the test as pending and follows it (a refresh does too without scripts).
    return redirect(url_for("push_views.connection", connection_id=conn.id, test=started["id"]))


@bp.post("/push/<int:connection_id>/delete")
def delete(connection_id: int):
    conn = connections.get_connection(connection_id)
    connections.delete_connection(conn)
    flash(f"Push connection {conn.name} is deleted.", "ok")
    return redirect(url_for("push_views.connections_list"))


@bp.get("/push/<int:connection_id>/log")
def log(connection_id: int):
    conn = connections.get_connection(connection_id)
    fields = push_schemas.LogQuerySchema().fields
    raw = {k: v for k, v in request.args.items() if v and k in fields and k != "limit"}
    errors: dict = {}
    try:
        filters = push_schemas.LogQuerySchema().load({**raw, "limit": LOG_PAGE})
    except marshmallow.ValidationError as err:
        errors, filters = web.form_errors(err), {"limit": LOG_PAGE}
    rows = [push_schemas.AttemptSchema().dump(a)
            for a in delivery_log.attempts(DeliveryAttempt.connection == conn.id, filters)]
    older = rows[-1]["id"] if len(rows) == LOG_PAGE else None
    return render_template("push/log.html", conn=conn, rows=rows, filters=raw, errors=errors,
                           older=older, newest={k: v for k, v in raw.items() if k != "before"},
                           known_events=_choices()["known_events"]), 400 if errors else 200


def _readable(body: str | None) -> str:
    """A JSON body indented for reading; any other body as it is."""
    try:
        return json.dumps(json.loads(body or ""), indent=2, ensure_ascii=False)
    except ValueError:
        return body or ""


@bp.get("/push/<int:connection_id>/log/<int:attempt_id>")
def attempt(connection_id: int, attempt_id: int):
    conn = connections.get_connection(connection_id)
    row = get_or_404(DeliveryAttempt, DeliveryAttempt.id == attempt_id,
                     DeliveryAttempt.connection == conn.id,
                     message=f"Push connection {conn.name} has no attempt {attempt_id}.")
    shown = push_schemas.AttemptSchema().dump(row)
    return render_template("push/attempt.html", conn=conn, attempt=shown,
                           request_body=_readable(shown["request"]["body"]),
                           response_body=_readable(shown["response"]["body"]))


@bp.post("/push/<int:connection_id>/retry")
def retry_failed(connection_id: int):
    conn = connections.get_connection(connection_id)
    try:
        count = queue_resend(conn)
    except HookhubError as err:
        flash(err.message, "error")
    else:
        flash(f"{count} failed deliveries of {conn.name} are queued to be sent again.", "ok")
    return redirect(url_for("push_views.log", connection_id=conn.id))


@bp.post("/push/<int:connection_id>/deliveries/<int:delivery_id>/retry")
def retry_one(connection_id: int, delivery_id: int):
    conn = connections.get_connection(connection_id)
    try:
        requeue(delivery_id)
    except HookhubError as err:
        flash(err.message, "error")
    else:
        flash(f"Delivery {delivery_id} is queued to be sent again.", "ok")
    return redirect(web.safe_next(request.form.get("back"),
                                  url_for("push_views.log", connection_id=conn.id)))
