"""Pages: login and logout, the dashboard, users and API tokens."""

from __future__ import annotations

import marshmallow
from flask import current_app, flash, redirect, render_template, request, url_for

from core import web
from core.auth import ApiToken, Role, create_token, revoke_token
from core.errors import Conflict
from core.schemas import TokenSchema, UserSchema
from core.users import User, authenticate, create_user, delete_user, get_user

bp = web.views_blueprint("core_views", __name__)


def home_for(user: User) -> str:
    """Where a user lands: the dashboard for admins, the first page their role may see else."""
    if user.role == Role.ADMIN.value:
        return url_for("core_views.dashboard")
    for item in sorted(current_app.extensions["hookhub.nav"], key=lambda i: i.order):
        if user.role in item.roles:
            return url_for(item.endpoint)
    return url_for("core_views.login")


@bp.route("/login", methods=["GET", "POST"])
@web.public
def login():
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("name", ""), request.form.get("password", ""))
        if user is not None:
            web.log_in(user)
            return redirect(web.safe_next(request.args.get("next"), home_for(user)))
        error = "Wrong name or password."
    elif web.current_user() is not None:
        return redirect(home_for(web.current_user()))
    return render_template("core/login.html", error=error,
                           name=request.form.get("name", "")), 401 if error else 200


@bp.post("/logout")
@web.allow(Role.VIEWER)
def logout():
    web.log_out()
    flash("You are logged out.", "ok")
    return redirect(url_for("core_views.login"))


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


@bp.post("/users/<int:user_id>/delete")
def remove_user(user_id: int):
    user = get_user(user_id)
    if user.id == web.current_user().id:
        raise Conflict("You cannot remove yourself.")
    delete_user(user)
    flash(f"User {user.name} is removed.", "ok")
    return redirect(url_for("core_views.users"))
