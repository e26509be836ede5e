"""People who log in to the web UI: users with a role and a password hash."""

from __future__ import annotations

import functools
import re
import sys

import click
import peewee
from werkzeug.security import check_password_hash, generate_password_hash

from core.auth import Role
from core.db import BaseModel, ensure_connection, get_or_404, utcnow
from core.errors import Conflict, ValidationFailed

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
# werkzeug's scrypt (n=2**15, r=8, p=1), salted per password.
HASH_METHOD = "scrypt"


class User(BaseModel):
    """A login for the web UI; only the password's scrypt hash is kept."""

    name = peewee.CharField(max_length=100, unique=True)
    role = peewee.CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    password_hash = peewee.CharField(max_length=255)
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)


@functools.cache
def _dummy_hash() -> str:
    """A hash checked when the name is unknown, so a wrong name costs as long as a wrong password."""
    return generate_password_hash("hookhub-no-such-user", method=HASH_METHOD)


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        message = f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters."
        raise ValidationFailed(message, [{"field": "password", "message": message}])


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
    """Replace a user's password."""
    _check_password(password)
    user.password_hash = generate_password_hash(password, method=HASH_METHOD)
    user.save()


def authenticate(name: str, password: str) -> User | None:
    """The user whose name and password match, or None (in about the same time either way)."""
    user = User.get_or_none(User.name == name[:100])
    if user is None:
        check_password_hash(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    if not check_password_hash(user.password_hash, password[:MAX_PASSWORD]):
        return None
    user.last_login_at = utcnow()
    user.save()
    return user


def get_user(user_id: int) -> User:
    """The user with this id or NotFound."""
    return get_or_404(User, User.id == user_id, message=f"User {user_id} does not exist.")


def delete_user(user: User) -> None:
    """Remove a user, unless it is the last admin."""
    admins = User.select().where(User.role == Role.ADMIN.value).count()
    if user.role == Role.ADMIN.value and admins == 1:
        raise Conflict("The last admin cannot be removed.")
    user.delete_instance()


@click.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ADMIN.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(name: str, role: str, password_stdin: bool) -> None:
    """Create a user who can log in to the web UI (password prompted unless --password-stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ensure_connection()
    User.create_table(safe=True)
    try:
        user = create_user(name, Role(role), password)
    except (ValidationFailed, Conflict) as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {user.role} {user.name}")
