"""Users: scrypt-hashed passwords, checks on names and passwords, the create-user command."""

from __future__ import annotations

import pytest

from core.auth import Role
from core.errors import Conflict, ValidationFailed
from core.users import User, authenticate, create_user, delete_user


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
