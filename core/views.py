"""Pages: login and logout, the own password, the dashboard, users and API tokens."""

from __future__ import annotations

import logging
import math

import marshmallow
from flask import Flask, current_app, flash, jsonify, redirect, render_template, request, url_for

from core import login_throttle, web
from core.auth import ApiToken, Role, create_token, revoke_token
from core.errors import Conflict, ValidationFailed, error_body
from core.schemas import TokenSchema, UserSchema
from core.users import (
    User,
    authenticate,
    change_password,
    create_user,
    delete_user,
    get_user,
    live_sessions,
    set_password,
    set_role,
)

log = logging.getLogger(__name__)
bp = web.views_blueprint("core_views", __name__)


def init_app(app: Flask) -> None:
    """Register the login, dashboard, user and token pages and their navigation."""
    app.register_blueprint(bp)
    web.add_nav(app, "Dashboard", "core_views.dashboard", order=10)
    web.add_nav(app, "Users", "core_views.users", order=900)
    web.add_nav(app, "API tokens", "core_views.tokens", order=910)
    web.add_nav(app, "API docs", "openapi.docs", order=920)


def home_for(user: User) -> str:
    """Where a user lands: the dashboard for admins, the first page their role may see else."""
    if user.role == Role.ADMIN.value:
        return url_for("core_views.dashboard")
    for item in sorted(current_app.extensions["hookhub.nav"], key=lambda i: i.order):
        if user.role in item.roles:
            return url_for(item.endpoint)
    return url_for("core_views.login")


def throttled_message(wait: int) -> str:
    """What a throttled login is told: how long to wait."""
    if wait < 120:
        return f"Too many failed logins. Try again in {wait} second{'s' if wait != 1 else ''}."
    return f"Too many failed logins. Try again in {math.ceil(wait / 60)} minutes."


def _login_refused(status: int, reason: str, message: str, headers: dict | None = None):
    # A script that asks for JSON gets the one error shape; a browser gets the login page.
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(error_body(status, reason, message)), status, headers or {}
    return render_template("core/login.html", error=message,
                           name=request.form.get("name", "")), status, headers or {}


@bp.route("/login", methods=["GET", "POST"])
@web.public
def login():
    if request.method == "GET":
        if web.current_user() is not None:
            return redirect(home_for(web.current_user()))
        return render_template("core/login.html", error=None, name="")
    name, address = request.form.get("name", ""), request.remote_addr
    # Checked before the password and alike for every name, so it tells nothing of which exist.
    wait = login_throttle.retry_after(name, address)
    if wait:
        log.warning("login refused for %d s after too many failures (from %s)", wait, address)
        return _login_refused(429, "login_throttled", throttled_message(wait),
                              {"Retry-After": str(wait)})
    user = authenticate(name, request.form.get("password", ""))
    if user is None:
        login_throttle.record_failure(name, address)
        return _login_refused(401, "invalid_login", "Wrong name or password.")
    login_throttle.record_success(name)
    web.log_in(user)
    return redirect(web.safe_next(request.args.get("next"), home_for(user)))


@bp.post("/logout")
@web.allow(Role.VIEWER)
def logout():
    web.log_out()
    flash("You are logged out.", "ok")
    return redirect(url_for("core_views.login"))


def _password_page(errors: dict | None = None, status: int = 200, headers: dict | None = None):
    return render_template("core/password.html", errors=errors or {}), status, headers or {}


@bp.get("/password")
@web.allow(Role.VIEWER)
def password():
    return _password_page()


@bp.post("/password")
@web.allow(Role.VIEWER)
def change_own_password():
    user, address = web.current_user(), request.remote_addr
    # The current password is a password check like the login's, throttled alike.
    wait = login_throttle.retry_after(user.name, address)
    if wait:
        return _password_page({"_form": throttled_message(wait)}, 429, {"Retry-After": str(wait)})
    try:
        change_password(user, request.form.get("current_password", ""),
                        request.form.get("new_password", ""), request.form.get("repeat_password", ""))
    except ValidationFailed as err:
        if any(e["field"] == "current_password" for e in err.errors):
            login_throttle.record_failure(user.name, address)
        return _password_page(web.form_errors(err), 400)
    # Changing it ended every session of the user, this one too; this browser gets a new one.
    web.log_in(user)
    flash("Your password is changed. Your other sessions are logged out.", "ok")
    return redirect(url_for("core_views.password"))


@bp.get("/")
@web.allow(Role.VIEWER)
def dashboard():
    user = web.current_user()
    if user.role != Role.ADMIN.value:
        return redirect(home_for(user))
    panels = [(slot, title, panel, panel.load() if panel else None)
              for slot, title, panel in web.dashboard_panels()]
    return render_template("core/dashboard.html", panels=panels)


def _tokens_page(secret: str | None = None, errors: dict | None = None, status: int = 200):
    tokens = ApiToken.select().order_by(ApiToken.revoked_at.is_null(False), ApiToken.id.desc())
    return render_template("core/tokens.html", tokens=tokens, secret=secret, errors=errors or {},
                           form=request.form, roles=[r.value for r in Role]), status


@bp.get("/tokens")
def tokens():
    return _tokens_page()


@bp.post("/tokens")
def create_api_token():
    try:
        data = TokenSchema().load({"name": request.form.get("name", "").strip(),
                                   "role": request.form.get("role", "")})
    except marshmallow.ValidationError as err:
        return _tokens_page(errors=web.form_errors(err), status=400)
    _, secret = create_token(data["name"], Role(data["role"]))
    return _tokens_page(secret=secret, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    token = revoke_token(token_id)
    flash(f"Token {token.name} ({token.prefix}…) is revoked.", "ok")
    return redirect(url_for("core_views.tokens"))


def _users_page(errors: dict | None = None, status: int = 200):
    return render_template("core/users.html", users=User.select().order_by(User.name),
                           errors=errors or {}, form=request.form,
                           roles=[r.value for r in Role]), status


@bp.get("/users")
def users():
    return _users_page()


@bp.post("/users")
def add_user():
    try:
        data = UserSchema().load({"name": request.form.get("name", "").strip(),
                                  "role": request.form.get("role", ""),
                                  "password": request.form.get("password", "")})
        user = create_user(data["name"], Role(data["role"]), data["password"])
    except web.FORM_ERRORS as err:
        return _users_page(errors=web.form_errors(err), status=web.status_of(err))
    flash(f"User {user.name} ({user.role}) is created.", "ok")
    return redirect(url_for("core_views.users"))


def _user_page(user: User, errors: dict | None = None, status: int = 200):
    sessions = live_sessions(user, current_app.config["SESSION_MAX_AGE_SECONDS"])
    return render_template("core/user.html", user=user, errors=errors or {}, sessions=sessions,
                           roles=[r.value for r in Role]), status


def _someone_else(user_id: int) -> User:
    user = get_user(user_id)
    if user.id == web.current_user().id:
        raise Conflict("Change your own password on the Password page; your role stays.")
    return user


@bp.get("/users/<int:user_id>")
def user_page(user_id: int):
    return _user_page(get_user(user_id))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id: int):
    user = _someone_else(user_id)
    try:
        role = UserSchema(only=("role",)).load({"role": request.form.get("role", "")})["role"]
        changed = set_role(user, Role(role))
    except web.FORM_ERRORS as err:
        return _user_page(user, errors=web.form_errors(err), status=web.status_of(err))
    flash(f"User {user.name} is now {user.role}; their sessions are logged out." if changed
          else f"User {user.name} is {user.role} already.", "ok")
    return redirect(url_for("core_views.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    user = _someone_else(user_id)
    try:
        set_password(user, request.form.get("password", ""))
    except ValidationFailed as err:
        return _user_page(user, errors=web.form_errors(err), status=400)
    flash(f"The password of {user.name} is reset; their sessions are logged out.", "ok")
    return redirect(url_for("core_views.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/delete")
def remove_user(user_id: int):
    user = get_user(user_id)
    if user.id == web.current_user().id:
        raise Conflict("You cannot remove yourself.")
    delete_user(user)
    flash(f"User {user.name} is removed.", "ok")
    return redirect(url_for("core_views.users"))
