"""Pages: hubs, their API credentials and their destinations per event type."""

from __future__ import annotations

import marshmallow
from flask import flash, redirect, render_template, request, url_for

from core import web
from core.errors import HookhubError
from integrations.hubs import service as hubs
from integrations.hubs.service import Hub
from integrations.push import pings
from integrations.push import schemas as push_schemas
from integrations.push.events import EventType

bp = web.views_blueprint("hub_views", __name__)


def _hub_form() -> dict[str, str]:
    return {"name": request.form.get("name", "").strip(),
            "description": request.form.get("description", "").strip()}


def _hubs_page(errors: dict | None = None, status: int = 200):
    return render_template("hubs/hubs.html", hubs=Hub.select().order_by(Hub.name),
                           errors=errors or {}, form=request.form), status


@bp.get("/hubs")
def hubs_list():
    return _hubs_page()


@bp.post("/hubs")
def create_hub():
    try:
        hub, credentials = hubs.create_hub(**push_schemas.HubSchema().load(_hub_form()))
    except web.FORM_ERRORS as err:
        return _hubs_page(web.form_errors(err), web.status_of(err))
    return _hub_page(hub, credentials=credentials, status=201)


def _hub_page(hub: Hub, credentials: dict | None = None, errors: dict | None = None,
              test: dict | None = None, status: int = 200):
    return render_template("hubs/hub.html", hub=hub, info=push_schemas.HubSchema().dump(hub),
                           credentials=credentials, errors=errors or {}, test=test,
                           form=request.form if errors else {},
                           known_events=[e.value for e in EventType if e != EventType.PING]), status


@bp.get("/hubs/<int:hub_id>")
def hub(hub_id: int):
    hub = hubs.get_hub(hub_id)
    test = pings.outcome_for(request.args.get("test"),
                             {"kind": pings.PingKind.DESTINATION.value, "hub_id": hub.id})
    return _hub_page(hub, test=test)


@bp.post("/hubs/<int:hub_id>")
def update_hub(hub_id: int):
    hub = hubs.get_hub(hub_id)
    try:
        hubs.update_hub(hub, push_schemas.HubSchema().load(_hub_form()))
    except web.FORM_ERRORS as err:
        return _hub_page(hubs.get_hub(hub_id), errors=web.form_errors(err),
                         status=web.status_of(err))
    flash(f"Hub {hub.name} is saved.", "ok")
    return redirect(url_for("hub_views.hub", hub_id=hub.id))


@bp.post("/hubs/<int:hub_id>/credentials")
def regenerate(hub_id: int):
    hub = hubs.get_hub(hub_id)
    api_key = hubs.regenerate_key(hub)
    return _hub_page(hub, credentials={"client_id": hub.client_id, "api_key": api_key})


@bp.post("/hubs/<int:hub_id>/delete")
def delete_hub(hub_id: int):
    hub = hubs.get_hub(hub_id)
    hubs.delete_hub(hub)
    flash(f"Hub {hub.name} is deleted.", "ok")
    return redirect(url_for("hub_views.hubs_list"))


@bp.post("/hubs/<int:hub_id>/destinations")
def set_destination(hub_id: int):
    hub = hubs.get_hub(hub_id)
    event_type = request.form.get("event_type", "").strip()
    given = {k: v.strip() for k, v in request.form.items() if k in ("url", "username", "password")
             and v.strip()}
    try:
        push_schemas.check_event_type(event_type)
        hubs.set_destination(hub, event_type, **push_schemas.DestinationSchema().load(given))
    except marshmallow.ValidationError as err:
        # The event type's own check names no field; the schema's do.
        errors = ({"event_type": err.messages[0]} if isinstance(err.messages, list)
                  else web.form_errors(err))
        return _hub_page(hub, errors=errors, status=400)
    flash(f"Hub {hub.name} sends {event_type} to {given['url']}.", "ok")
    return redirect(url_for("hub_views.hub", hub_id=hub.id))


@bp.post("/hubs/<int:hub_id>/destinations/<event_type>/test")
def test_destination(hub_id: int, event_type: str):
    hub = hubs.get_hub(hub_id)
    dest = hubs.get_destination(hub, event_type)
    try:
        started = pings.start_destination(dest)
    except HookhubError as err:
        return _hub_page(hub, errors={"_form": err.message}, status=err.status)
    return redirect(url_for("hub_views.hub", hub_id=hub.id, test=started["id"]))


@bp.post("/hubs/<int:hub_id>/destinations/<event_type>/remove")
def remove_destination(hub_id: int, event_type: str):
    hub = hubs.get_hub(hub_id)
    hubs.remove_destination(hubs.get_destination(hub, event_type))
    flash(f"Hub {hub.name} no longer sends {event_type}.", "ok")
    return redirect(url_for("hub_views.hub", hub_id=hub.id))
