"""People who log in to the web UI: users with a role and a password hash, and their sessions."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys

import click
import peewee
from werkzeug.security import check_password_hash, generate_password_hash

from core.auth import Role
from core.db import BaseModel, db, ensure_connection, get_or_404, utcnow
from core.errors import Conflict, ValidationFailed
from core.security import hash_secret, new_secret, secret_matches

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
PASSWORD_RULE = f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters."
# werkzeug's scrypt (n=2**15, r=8, p=1), salted per password.
HASH_METHOD = "scrypt"
# A session's last_seen_at is written at most this often, not on every page.
SEEN_EVERY = dt.timedelta(minutes=1)


class User(BaseModel):
    """A login for the web UI; only the password's scrypt hash is kept."""

    name = peewee.CharField(max_length=100, unique=True)
    role = peewee.CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    password_hash = peewee.CharField(max_length=255)
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)


class WebSession(BaseModel):
    """A login to the web UI: the session cookie carries its secret, only the hash is kept.

    Ending a session deletes its row, so a copy of the cookie stops working at once.
    """

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="web_sessions")
    secret_hash = peewee.CharField(max_length=64, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(default=utcnow)


@functools.cache
def _dummy_hash() -> str:
    """A hash checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return generate_password_hash("hookhub-no-such-user", method=HASH_METHOD)


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationFailed(PASSWORD_RULE, [{"field": "password", "message": PASSWORD_RULE}])


def create_user(name: str, role: Role, password: str) -> User:
    """Create a user with a hashed password."""
    if not NAME.match(name):
        message = "1-100 letters, digits, _ . @ or -, starting with a letter or digit."
        raise ValidationFailed(f"name: {message}", [{"field": "name", "message": message}])
    _check_password(password)
    if User.get_or_none(User.name == name):
        raise Conflict(f"User '{name}' already exists.")
    return User.create(name=name, role=Role(role).value,
                       password_hash=generate_password_hash(password, method=HASH_METHOD))


def set_password(user: User, password: str) -> None:
    """Replace a user's password and end all of the user's sessions."""
    _check_password(password)
    # Hashed before the transaction, so the slow hash never holds SQLite's write lock.
    password_hash = generate_password_hash(password, method=HASH_METHOD)
    with db.atomic():
        user.password_hash = password_hash
        user.save()
        end_sessions(user)


def change_password(user: User, current: str, new: str, repeat: str) -> None:
    """Replace a user's own password, given the current one and the new one twice."""
    errors = []
    if not password_matches(user, current):
        errors.append({"field": "current_password", "message": "This is not your current password."})
    if not MIN_PASSWORD <= len(new) <= MAX_PASSWORD:
        errors.append({"field": "new_password", "message": PASSWORD_RULE})
    elif new != repeat:
        errors.append({"field": "repeat_password", "message": "The two new passwords differ."})
    if errors:
        raise ValidationFailed(errors[0]["message"], errors)
    set_password(user, new)


def set_role(user: User, role: Role) -> bool:
    """Give a user another role and end all of the user's sessions; tell whether it changed."""
    role = Role(role)
    if role.value == user.role:
        return False
    if user.role == Role.ADMIN.value and _admin_count() == 1:
        raise Conflict("The last admin must stay an admin.")
    with db.atomic():
        user.role = role.value
        user.save()
        end_sessions(user)
    return True


def password_matches(user: User, password: str) -> bool:
    """Tell whether the password is the user's."""
    return check_password_hash(user.password_hash, password[:MAX_PASSWORD])


def authenticate(name: str, password: str) -> User | None:
    """The user whose name and password match, or None (in about the same time either way)."""
    user = User.get_or_none(User.name == name[:100])
    if user is None:
        check_password_hash(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    if not password_matches(user, password):
        return None
    user.last_login_at = utcnow()
    user.save()
    return user


def get_user(user_id: int) -> User:
    """The user with this id or NotFound."""
    return get_or_404(User, User.id == user_id, message=f"User {user_id} does not exist.")


def _admin_count() -> int:
    return User.select().where(User.role == Role.ADMIN.value).count()


def delete_user(user: User) -> None:
    """Remove a user (their sessions go with them), unless it is the last admin."""
    if user.role == Role.ADMIN.value and _admin_count() == 1:
        raise Conflict("The last admin cannot be removed.")
    user.delete_instance()


def start_session(user: User) -> str:
    """Open a session for the user; return the secret its cookie carries (not stored)."""
    secret = new_secret("hhs")
    WebSession.create(user=user, secret_hash=hash_secret(secret))
    return secret


def session_user(secret: str, max_age: int) -> User | None:
    """The user of the live session with this secret (younger than max_age seconds), or None."""
    found = (WebSession.select(WebSession, User).join(User)
             .where(WebSession.secret_hash == hash_secret(secret)).first())
    now = utcnow()
    if found is None or not secret_matches(secret, found.secret_hash) \
            or now - found.created_at >= dt.timedelta(seconds=max_age):
        return None
    if now - found.last_seen_at >= SEEN_EVERY:
        WebSession.update(last_seen_at=now).where(WebSession.id == found.id).execute()
    return found.user


def end_session(secret: str) -> None:
    """End the session with this secret."""
    WebSession.delete().where(WebSession.secret_hash == hash_secret(secret)).execute()


def end_sessions(user: User) -> int:
    """End every session of the user; return how many there were."""
    return WebSession.delete().where(WebSession.user == user).execute()


def live_sessions(user: User, max_age: int) -> int:
    """How many sessions of the user are open (younger than max_age seconds)."""
    cutoff = utcnow() - dt.timedelta(seconds=max_age)
    return WebSession.select().where(WebSession.user == user,
                                     WebSession.created_at > cutoff).count()


def purge_sessions(max_age: int) -> int:
    """Delete the sessions older than max_age seconds; return how many."""
    cutoff = utcnow() - dt.timedelta(seconds=max_age)
    return WebSession.delete().where(WebSession.created_at < cutoff).execute()


def _read_password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can log in to the web UI (password prompted unless --password-stdin)."""
    password = _read_password(password_stdin, "Password")
    ensure_connection()
    User.create_table(safe=True)
    try:
        user = create_user(name, Role(role), password)
    except (ValidationFailed, Conflict) as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {user.role} {user.name}")


@click.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(name: str, password_stdin: bool) -> None:
    """Give a user a new password and log out all of the user's sessions."""
    ensure_connection()
    user = User.get_or_none(User.name == name)
    if user is None:
        raise click.ClickException(f"User '{name}' does not exist.")
    password = _read_password(password_stdin, "New password")
    try:
        set_password(user, password)
    except ValidationFailed as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"changed the password of {user.name}; their sessions are logged out")
