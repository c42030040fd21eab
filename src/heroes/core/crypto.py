"""Encryption at rest for sensitive fields and attachments (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from HEROES_ENCRYPTION_KEY or a key file generated in the data folder; several keys
separated by commas allow rotation (the first encrypts, all decrypt).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from heroes.core.errors import HeroesError
from heroes.core.settings import get_settings


@lru_cache(maxsize=4)
def _fernet_for(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def fernet() -> MultiFernet:
    return _fernet_for(get_settings().fernet_key)


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken as exc:
        raise HeroesError("Encrypted data could not be read with this installation's key.") from exc


def encrypt_text(value: str) -> str:
    return encrypt_bytes(value.encode("utf-8")).decode("ascii")


def decrypt_text(value: str) -> str:
    return decrypt_bytes(value.encode("ascii")).decode("utf-8")


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; reads and writes plain str in Python."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt_text(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else encrypt_text(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(decrypt_text(value))
