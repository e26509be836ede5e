"""POST /webhooks/<api_key>: authenticate, read, store, process (inline or deferred), answer."""

from __future__ import annotations

import logging

from flask import Response, current_app, jsonify, request

from core.openapi import JSON, ApiBlueprint, ErrorSchema, request_body
from core.queue import REDIS_ERRORS, get_redis, mark_down, seems_up
from integrations.inbound import intake, payloads, schemas, sources

log = logging.getLogger(__name__)
bp = ApiBlueprint("inbound", __name__)


# The answer once processed inline, and once stored for deferred processing.
OUTCOME = schemas.WebhookOutcomeSchema()
ACCEPTED = schemas.WebhookAcceptedSchema()


@bp.route("/webhooks/<api_key>", methods=["POST"], tags=["inbound"])
@bp.doc(description=(
    "Stored before it is answered. 200 with the outcome when processed inline; 202 with the id "
    "for a source set to deferred processing. Its events go to every hub, or only to the one it "
    'names: "hubs": {"events": "<hub>"} in the body (as Lightico sends it), else the '
    "X-Hookhub-Hub header. Credentials in headers and query parameters are stored masked."),
        **request_body({t: {"type": "object"} for t in (JSON, *payloads.FORM_TYPES)}))
@bp.response(200, OUTCOME)
@bp.alt_response(202, schema=ACCEPTED, success=True)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(413, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def receive(api_key: str) -> tuple[Response, int]:
    """Receive a webhook (JSON object or form data)"""
    try:
        source = sources.authenticate(api_key)
    except Exception:
        count_rejected()
        raise
    incoming = payloads.read(request, current_app.config)
    webhook, replayed = (intake.accept if source.deferred else intake.process_now)(source, incoming)
    code = 202 if webhook.deferred else 200
    response = jsonify((OUTCOME if code == 200 else ACCEPTED).dump(webhook))
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, code


def count_rejected() -> None:
    """Count a request with an unknown or revoked key (nothing else of it is kept)."""
    if not seems_up():
        return
    try:
        get_redis().incr("hookhub:rejected_webhooks")
    except REDIS_ERRORS:
        mark_down()
        log.warning("could not count a rejected webhook: Redis unavailable")
