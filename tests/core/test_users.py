"""Users: scrypt-hashed passwords, checks on names and passwords, sessions, the create-user and
set-password commands."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import Role
from core.errors import Conflict, ValidationFailed
from core.security import hash_secret
from core.users import (
    User,
    WebSession,
    authenticate,
    create_user,
    delete_user,
    end_session,
    live_sessions,
    purge_sessions,
    session_user,
    set_password,
    set_role,
    start_session,
)

DAY = 24 * 3600


def backdate(secret: str, field: str, seconds: int) -> None:
    """Move a session's created_at or last_seen_at this far into the past."""
    row = WebSession.get(WebSession.secret_hash == hash_secret(secret))
    setattr(row, field, getattr(row, field) - dt.timedelta(seconds=seconds))
    row.save()


def test_a_user_is_stored_with_a_salted_scrypt_hash(app):
    first = create_user("ada", Role.ADMIN, "correct horse")
    second = create_user("bob", Role.VIEWER, "correct horse")
    assert first.password_hash.startswith("scrypt:32768:8:1$")
    assert "correct horse" not in first.password_hash
    assert first.password_hash != second.password_hash
    assert (first.role, second.role) == ("admin", "viewer")


def test_authenticate_takes_only_the_right_password(app):
    create_user("ada", Role.ADMIN, "correct horse")
    assert authenticate("ada", "correct horse").name == "ada"
    assert User.get(User.name == "ada").last_login_at is not None
    assert authenticate("ada", "wrong horse") is None
    assert authenticate("nobody", "correct horse") is None


@pytest.mark.parametrize(("name", "password", "message"), [
    ("ada", "short", "A password has 8 to 1024 characters."),
    ("ada", "x" * 1025, "A password has 8 to 1024 characters."),
    ("-ada", "long enough", "name: 1-100 letters, digits, _ . @ or -, starting with a letter or digit."),
    ("a" * 101, "long enough", "name: 1-100 letters, digits, _ . @ or -, starting with a letter or digit."),
])
def test_bad_names_and_passwords_are_refused(app, name, password, message):
    with pytest.raises(ValidationFailed) as caught:
        create_user(name, Role.ADMIN, password)
    assert caught.value.message == message
    assert User.select().count() == 0


def test_a_name_is_taken_once(app):
    create_user("ada", Role.ADMIN, "correct horse")
    with pytest.raises(Conflict, match="^User 'ada' already exists.$"):
        create_user("ada", Role.VIEWER, "another horse")


def test_the_last_admin_stays(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    bob = create_user("bob", Role.VIEWER, "correct horse")
    with pytest.raises(Conflict, match="^The last admin cannot be removed.$"):
        delete_user(ada)
    delete_user(bob)
    assert [u.name for u in User.select()] == ["ada"]


def test_create_user_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "vic", "--role", "viewer", "--password-stdin"], input="a long password\n")
    assert (result.exit_code, result.output) == (0, "created viewer vic\n")
    assert authenticate("vic", "a long password").role == "viewer"


def test_create_user_prompts_twice_for_the_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "ada"],
                                          input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("created admin ada\n")
    assert authenticate("ada", "a long password").role == "admin"


def test_create_user_says_what_is_wrong(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "ada", "--password-stdin"], input="short\n")
    assert (result.exit_code, result.output) == (1, "Error: A password has 8 to 1024 characters.\n")
    result = runner.invoke(args=["create-user", "ada", "--role", "owner", "--password-stdin"],
                           input="a long password\n")
    assert result.exit_code == 2
    assert "'owner' is not one of 'admin', 'viewer'." in result.output


def test_a_session_lives_until_ended_or_too_old(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    secret = start_session(ada)
    assert session_user(secret, DAY).name == "ada"
    assert session_user(secret + "x", DAY) is None
    backdate(secret, "created_at", 61)
    assert session_user(secret, 61) is None
    assert session_user(secret, 62).name == "ada"
    end_session(secret)
    assert session_user(secret, DAY) is None


def test_last_seen_is_written_at_most_once_a_minute(app):
    secret = start_session(create_user("ada", Role.ADMIN, "correct horse"))
    first = WebSession.get().last_seen_at
    session_user(secret, DAY)
    assert WebSession.get().last_seen_at == first
    backdate(secret, "last_seen_at", 60)
    session_user(secret, DAY)
    assert WebSession.get().last_seen_at > first - dt.timedelta(minutes=1)


def test_a_new_password_or_role_ends_every_session_of_that_user_only(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    bob = create_user("bob", Role.VIEWER, "correct horse")
    ada_sessions = [start_session(ada) for _ in range(2)]
    bob_session = start_session(bob)
    set_password(ada, "another horse")
    assert [session_user(s, DAY) for s in ada_sessions] == [None, None]
    assert session_user(bob_session, DAY).name == "bob"
    again = start_session(bob)
    assert set_role(bob, Role.VIEWER) is False
    assert session_user(again, DAY).name == "bob"
    assert set_role(bob, Role.ADMIN) is True
    assert (session_user(bob_session, DAY), session_user(again, DAY)) == (None, None)
    assert User.get(User.name == "bob").role == "admin"


def test_a_refused_password_changes_nothing(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    secret = start_session(ada)
    with pytest.raises(ValidationFailed, match="^A password has 8 to 1024 characters.$"):
        set_password(ada, "short")
    assert session_user(secret, DAY).name == "ada"
    assert authenticate("ada", "correct horse") is not None


def test_the_last_admin_stays_an_admin(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    secret = start_session(ada)
    with pytest.raises(Conflict, match="^The last admin must stay an admin.$"):
        set_role(ada, Role.VIEWER)
    assert (User.get_by_id(ada.id).role, session_user(secret, DAY).name) == ("admin", "ada")


def test_old_sessions_are_counted_out_and_purged(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    old, new = start_session(ada), start_session(ada)
    backdate(old, "created_at", 2 * 3600)
    assert live_sessions(ada, 3600) == 1
    assert purge_sessions(3600) == 1
    assert (session_user(old, DAY), session_user(new, DAY).name) == (None, "ada")


def test_set_password_changes_it_and_logs_the_user_out(app):
    ada = create_user("ada", Role.ADMIN, "correct horse")
    secret = start_session(ada)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["set-password", "ada", "--password-stdin"], input="a new horse\n")
    assert (result.exit_code, result.output) == (
        0, "changed the password of ada; their sessions are logged out\n")
    assert authenticate("ada", "a new horse").name == "ada"
    assert session_user(secret, DAY) is None
    short = runner.invoke(args=["set-password", "ada", "--password-stdin"], input="short\n")
    assert (short.exit_code, short.output) == (1, "Error: A password has 8 to 1024 characters.\n")
    unknown = runner.invoke(args=["set-password", "zed", "--password-stdin"], input="a new horse\n")
    assert (unknown.exit_code, unknown.output) == (1, "Error: User 'zed' does not exist.\n")
