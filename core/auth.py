"""API tokens with roles, and the decorator that guards the REST API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

import peewee
from flask import g, request

from core.db import BaseModel, get_or_404, utcnow
from core.errors import Forbidden, Unauthorized
from core.security import hash_secret, new_secret, secret_matches


class Role(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


class ApiToken(BaseModel):
    """A bearer token; only its hash is kept."""

    name = peewee.CharField(max_length=100)
    role = peewee.CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    token_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)


def create_token(name: str, role: Role) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored."""
    secret = new_secret("hht")
    token = ApiToken.create(name=name, role=Role(role).value, token_hash=hash_secret(secret),
                            prefix=secret[:10])
    return token, secret


def revoke_token(token_id: int) -> ApiToken:
    """Stop accepting a token; it stays listed as revoked."""
    token = get_or_404(ApiToken, ApiToken.id == token_id,
                       message=f"API token {token_id} does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.save()
    return token


def authenticate(secret: str) -> ApiToken:
    """Return the live token for a secret or raise Unauthorized."""
    token = ApiToken.get_or_none(ApiToken.token_hash == hash_secret(secret))
    if token is None or token.revoked_at is not None or not secret_matches(secret, token.token_hash):
        raise Unauthorized("Invalid or revoked API token.", reason="invalid_token")
    return token


def require_role(*roles: Role) -> Callable:
    """Guard a view: a bearer token with one of the roles (admin passes everywhere)."""
    allowed = {Role(r).value for r in roles} | {Role.ADMIN.value}

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Unauthorized("Missing bearer token (Authorization: Bearer <token>).",
                                   reason="missing_token")
            token = authenticate(secret.strip())
            if token.role not in allowed:
                raise Forbidden(f"Role '{token.role}' may not use this endpoint.")
            g.api_token = token
            return view(*args, **kwargs)

        wrapper.required_roles = sorted(allowed)
        return wrapper

    return decorator
