"""The web UI's plumbing: secret key, sessions, roles per page, CSRF, navigation, dashboard panels."""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import marshmallow
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from core import login_throttle, maintenance
from core.auth import Role
from core.errors import Forbidden, HookhubError, ValidationFailed, flatten_messages
from core.http import reject_nul
from core.users import (
    User,
    create_user_command,
    end_session,
    purge_sessions,
    session_user,
    set_password_command,
    start_session,
)

log = logging.getLogger(__name__)
csrf = CSRFProtect()

SECRET_KEY_FILE = "secret_key"
# The entry of the signed session cookie that holds the session's secret (core.users.WebSession).
SESSION_KEY = "sid"
ADMIN_ONLY = frozenset({Role.ADMIN.value})
MAX_PAGE_SIZE = 100
# What a form's handler catches to show the form again with the messages at its fields.
FORM_ERRORS = (marshmallow.ValidationError, HookhubError)
# Pages show keys once and records to business users: nothing may frame or cache them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The dashboard's slots, in page order; a package fills one with add_panel.
DASHBOARD_SLOTS = {
    "webhooks_over_time": "Webhooks received",
    "webhook_counts": "Webhooks by status",
    "recent_errors": "Recent errors",
    "failing_push_connections": "Failing push connections",
}


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str]
    order: int


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    load: Callable[[], dict[str, Any]]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when SESSION_COOKIE_SECURE says so, else when this request is secure."""
        # request.is_secure honours X-Forwarded-Proto once PROXY_FIX trusts the proxy.
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    """Set up the secret key, sessions, CSRF, login throttling and the user commands."""
    ensure_secret_key(app)
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    app.extensions["hookhub.nav"] = []
    app.extensions["hookhub.panels"] = {}
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["pretty_json"] = lambda v: json.dumps(v, indent=2, ensure_ascii=False,
                                                                default=str)
    app.context_processor(_template_globals)
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_password_command)
    maintenance.register(app, "purge-web-sessions", 3600,
                         lambda: purge_sessions(app.config["SESSION_MAX_AGE_SECONDS"]))
    maintenance.register(app, "purge-login-failures", 3600, login_throttle.purge)


def ensure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY when configured, else the one kept under DATA_DIR (made on first run)."""
    if app.config.get("SECRET_KEY"):
        return
    data_dir = app.config["DATA_DIR"]
    path = os.path.join(data_dir, SECRET_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(data_dir, exist_ok=True)
        # Written aside and linked in place, so a process starting at the same time never
        # reads a half-written key and only one key ever wins.
        temp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    with open(path) as key_file:
        app.config["SECRET_KEY"] = key_file.read().strip()


def _admins_and(roles: tuple[Role, ...]) -> frozenset[str]:
    return frozenset({Role.ADMIN.value, *(Role(r).value for r in roles)})


def add_nav(app: Flask, label: str, endpoint: str, *, roles: tuple[Role, ...] = (),
            order: int = 100) -> None:
    """Put a page in the navigation bar, shown to admins and the given roles."""
    app.extensions["hookhub.nav"].append(NavItem(label, endpoint, _admins_and(roles), order))


def add_panel(app: Flask, slot: str, template: str, load: Callable[[], dict[str, Any]]) -> None:
    """Fill a dashboard slot: `load()` gives the context `template` is rendered with."""
    if slot not in DASHBOARD_SLOTS:
        raise ValueError(f"unknown dashboard slot {slot!r}; one of {', '.join(DASHBOARD_SLOTS)}")
    app.extensions["hookhub.panels"][slot] = Panel(slot, template, load)


def dashboard_panels() -> list[tuple[str, str, Panel | None]]:
    """(slot, title, panel or None) for every dashboard slot, in page order."""
    panels = current_app.extensions["hookhub.panels"]
    return [(slot, title, panels.get(slot)) for slot, title in DASHBOARD_SLOTS.items()]


def allow(*roles: Role) -> Callable:
    """Open a page to these roles as well as admins (pages are admin-only unless marked)."""
    def mark(view: Callable) -> Callable:
        view.ui_roles = _admins_and(roles)
        return view

    return mark


def public(view: Callable) -> Callable:
    """Open a page to anyone, logged in or not (the login page)."""
    view.ui_roles = None
    return view


def current_user() -> User | None:
    """The logged-in user of this request, or None (also when the session has expired or ended)."""
    if "hookhub_user" not in g:
        secret = session.get(SESSION_KEY)
        g.hookhub_user = session_user(secret, current_app.config["SESSION_MAX_AGE_SECONDS"]) \
            if isinstance(secret, str) else None
    return g.hookhub_user


def log_in(user: User) -> None:
    """Start a fresh session for the user (a new CSRF secret too)."""
    session.clear()
    session[SESSION_KEY] = start_session(user)
    g.hookhub_user = user


def log_out() -> None:
    """End this browser's session, on the server too, so no copy of its cookie works."""
    secret = session.get(SESSION_KEY)
    if isinstance(secret, str):
        end_session(secret)
    session.clear()
    g.hookhub_user = None


def safe_next(target: str | None, default: str) -> str:
    """A same-site path to go to after login; anything else falls back to default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return default
    return target


def views_blueprint(name: str, import_name: str, url_prefix: str | None = None) -> Blueprint:
    """A blueprint of HTML pages: login and role checked, CSRF checked, HTML error pages."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(_guard)
    bp.after_request(_secure_headers)
    bp.register_error_handler(HookhubError, _error_page)
    bp.register_error_handler(marshmallow.ValidationError, _error_page)
    bp.register_error_handler(HTTPException, _error_page)
    bp.register_error_handler(Exception, _error_page)
    return bp


def _guard() -> Response | None:
    # Set before anything reads the form: the largest body a page takes (a lookup import).
    request.max_content_length = current_app.config["MAX_FORM_BYTES"]
    csrf.protect()
    reject_nul(request.form.to_dict(flat=False), "_form")
    view = current_app.view_functions.get(request.endpoint)
    roles = getattr(view, "ui_roles", ADMIN_ONLY)
    if roles is None:
        return None
    user = current_user()
    if user is None:
        return redirect(url_for("core_views.login", next=request.full_path.rstrip("?")))
    if user.role not in roles:
        raise Forbidden(f"This page is for {', '.join(sorted(roles))} users; "
                        f"you are logged in as {user.role}.")
    return None


def _secure_headers(response: Response) -> Response:
    for header, value in SECURITY_HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def _error_page(err: Exception):
    if isinstance(err, HookhubError):
        status, title, message = err.status, err.reason.replace("_", " "), err.message
    elif isinstance(err, marshmallow.ValidationError):
        status, title = 400, "invalid input"
        message = "; ".join(f"{e['field']}: {e['message']}" for e in flatten_messages(err.messages))
    elif isinstance(err, HTTPException):
        status, title, message = err.code or 500, err.name, err.description
    else:
        log.exception("unhandled error on %s", request.path)
        status, title, message = 500, "internal error", "Something went wrong on our side."
    return render_template("core/error.html", status=status, title=title, message=message), status


def form_errors(err: Exception) -> dict[str, str]:
    """Messages by field (or "_form") from a marshmallow or hookhub error, to show at the field."""
    if isinstance(err, marshmallow.ValidationError):
        return {e["field"]: e["message"] for e in reversed(flatten_messages(err.messages))}
    if isinstance(err, HookhubError):
        named = {e["field"]: e["message"] for e in err.errors if "field" in e}
        return named or {"_form": err.message}
    raise err


def status_of(err: Exception) -> int:
    """The HTTP status a form error answers with: the error's own, or 400."""
    return getattr(err, "status", 400)


def checkbox(name: str) -> bool:
    """Whether a form's checkbox was ticked (an unticked one is not sent at all)."""
    return name in request.form


def number_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within bounds, or a 400 that names it."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationFailed(f"{name} must be an integer from {low} to {high}.",
                               [{"field": name, "message": f"Must be from {low} to {high}."}])
    return value


@dataclass(frozen=True)
class Pager:
    """Page-number paging over a counted query."""

    page: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def url(self, page: int) -> str:
        """This page's URL with another page number, other arguments kept."""
        args = {**request.args.to_dict(), "page": page}
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def pager(total: int, default_size: int = 50) -> Pager:
    """The pager for this request's page and size arguments (a page past the end shows the last)."""
    size = number_arg("size", default_size, 1, MAX_PAGE_SIZE)
    page = number_arg("page", 1, 1, 10**9)
    return Pager(min(page, Pager(1, size, total).pages), size, total)


def format_when(value: Any) -> str:
    """A stored UTC time as text for a page."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _template_globals() -> dict[str, Any]:
    user = current_user()
    items = sorted(current_app.extensions["hookhub.nav"], key=lambda i: i.order)
    nav = []
    for item in items:
        if user is None or user.role not in item.roles:
            continue
        url = url_for(item.endpoint)
        active = request.path == url or (url != "/" and request.path.startswith(url.rstrip("/") + "/"))
        nav.append({"label": item.label, "url": url, "active": active})
    return {"current_user": user, "nav": nav}
