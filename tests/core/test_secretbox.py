"""Stored secrets: ENCRYPTION_KEYS newest first, the key installs had before, clear failures."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken

from app import create_app
from core.secretbox import SecretUnavailable, parse_keys, reseal, seal, unseal

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def box_app(tmp_path, **config):
    return create_app({"DATA_DIR": str(tmp_path), **config})


def test_the_newest_key_encrypts_and_every_key_decrypts(tmp_path):
    with box_app(tmp_path, ENCRYPTION_KEYS=[KEY_A]).app_context():
        old = seal("whsec_old")
    with box_app(tmp_path, ENCRYPTION_KEYS=[KEY_B, KEY_A]).app_context():
        new = seal("whsec_new")
        assert (unseal(old), unseal(new)) == ("whsec_old", "whsec_new")
        assert Fernet(KEY_B).decrypt(new.encode()) == b"whsec_new"
        with pytest.raises(InvalidToken):
            Fernet(KEY_A).decrypt(new.encode())
        assert Fernet(KEY_B).decrypt(reseal(old).encode()) == b"whsec_old"


def test_secrets_stored_before_encryption_keys_still_decrypt(tmp_path):
    with box_app(tmp_path, SECRET_KEY="install-secret").app_context():
        from_secret_key = seal("s1")
    with box_app(tmp_path / "no-secret-key").app_context():
        from_kept_secret_key = seal("s2")
    with box_app(tmp_path, SECRET_KEY="install-secret", ENCRYPTION_KEYS=[KEY_A]).app_context():
        assert unseal(from_secret_key) == "s1"
    with box_app(tmp_path / "no-secret-key", ENCRYPTION_KEYS=[KEY_A]).app_context():
        assert unseal(from_kept_secret_key) == "s2"


def test_no_fitting_key_is_a_clear_409(tmp_path):
    with box_app(tmp_path, SECRET_KEY="one").app_context():
        token = seal("s")
    with box_app(tmp_path, SECRET_KEY="two", ENCRYPTION_KEYS=[KEY_A]).app_context():
        with pytest.raises(SecretUnavailable) as caught:
            unseal(token)
    assert (caught.value.status, caught.value.reason, caught.value.message) == (
        409, "secret_unavailable",
        "A stored secret cannot be decrypted with ENCRYPTION_KEYS or the key derived from "
        "SECRET_KEY: the key that encrypted it is no longer configured.")


def test_the_setting_comes_as_a_list_or_a_comma_separated_string(tmp_path, monkeypatch):
    assert parse_keys(f" {KEY_B}, {KEY_A} ") == parse_keys([KEY_B, KEY_A]) == [KEY_B, KEY_A]
    assert parse_keys(None) == parse_keys("") == []
    monkeypatch.setenv("HOOKHUB_ENCRYPTION_KEYS", f'["{KEY_B}", "{KEY_A}"]')
    assert box_app(tmp_path).config["ENCRYPTION_KEYS"] == [KEY_B, KEY_A]


def test_a_bad_key_stops_the_app_from_starting_without_showing_it(tmp_path):
    with pytest.raises(ValueError) as caught:
        box_app(tmp_path, ENCRYPTION_KEYS=[KEY_A, "not-a-key"])
    assert str(caught.value) == ("ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key (32 url-safe "
                                 "base64-encoded bytes, as Fernet.generate_key() makes).")
