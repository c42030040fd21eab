from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet

from heroes.core import crypto
from heroes.core.errors import HeroesError
from heroes.core.settings import Settings, set_settings


def test_round_trip_and_ciphertext_hides_plaintext(heroes_db: Any) -> None:
    secret = b"phone +44 7700 900123, flat 3"
    token = crypto.encrypt_bytes(secret)
    assert secret not in token
    assert crypto.decrypt_bytes(token) == secret
    assert crypto.decrypt_text(crypto.encrypt_text("señal")) == "señal"


def test_wrong_key_gives_a_clear_error(tmp_path: Any) -> None:
    set_settings(Settings(data_dir=tmp_path, encryption_key=Fernet.generate_key().decode()))
    token = crypto.encrypt_bytes(b"data")
    set_settings(Settings(data_dir=tmp_path, encryption_key=Fernet.generate_key().decode()))
    try:
        with pytest.raises(HeroesError, match="key"):
            crypto.decrypt_bytes(token)
    finally:
        set_settings(None)


def test_key_rotation_reads_old_data(tmp_path: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    set_settings(Settings(data_dir=tmp_path, encryption_key=old))
    token = crypto.encrypt_bytes(b"kept")
    set_settings(Settings(data_dir=tmp_path, encryption_key=f"{new},{old}"))
    try:
        assert crypto.decrypt_bytes(token) == b"kept"
    finally:
        set_settings(None)


def test_generated_key_file_is_private(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.fernet_key
    assert Fernet(key.encode())
    assert (tmp_path / "encryption.key").stat().st_mode & 0o077 == 0
