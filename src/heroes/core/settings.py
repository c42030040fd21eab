"""One typed settings object, read from HEROES_* environment variables."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEROES_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the database, keys and job files live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in the data folder when unset.")
    secret_key: str | None = Field(default=None, description="Signs session cookies; generated when unset.")
    encryption_key: str | None = Field(
        default=None, description="Fernet key for data at rest; generated into the data folder when unset."
    )
    audit_key: str | None = Field(
        default=None, description="Keys the audit chain (HMAC); generated into the data folder when unset."
    )
    audit_head_file: Path | None = Field(
        default=None, description="Where the audit chain's head is written; <data_dir>/audit-head.json when unset."
    )
    job_runner: Literal["process", "inline", "thread", "ray"] = "process"
    job_workers: int = 2
    ray_address: str | None = Field(
        default=None, description="Ray cluster for HEROES_JOB_RUNNER=ray (e.g. head:6379); a local Ray when empty."
    )
    cpu_workers: int = Field(default=2, description="Worker processes for CPU-heavy web requests (analysis, imports).")
    cpu_budget_seconds: float = Field(
        default=30.0,
        description="CPU seconds a CPU-heavy web request may use in its worker (a busy host does not count).",
    )
    cpu_wall_seconds: float = Field(
        default=600.0, description="Wall-clock ceiling of a CPU-heavy web request, queueing included (a safety net)."
    )
    default_language: str = "en"
    https_only_cookies: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_max_failures_overall: int = Field(
        default=50, description="Failed sign-ins across all accounts in the window that mean password spraying."
    )
    web_threads: int = Field(default=400, description="Threads for sync routes (most wait on the database).")
    db_pool_size: int = Field(default=20, description="Database connections kept open (per process).")
    db_max_overflow: int = Field(default=30, description="Extra connections allowed during a burst.")
    db_busy_timeout: int = Field(default=60, description="Seconds to wait for a connection or SQLite's write lock.")
    media_roots: str | None = Field(
        default=None,
        description="Server folders the media tool may scan, os.pathsep-separated; <data_dir>/media-intake when unset.",
    )
    media_list_web_max_entries: int = Field(
        default=1_000_000, description="Most hashes a list imported through the web may hold (the CLI has no limit)."
    )
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{(self.data_dir / 'heroes.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        if not self.data_dir.exists():
            self.data_dir.mkdir(parents=True, mode=0o700)
        return self.data_dir

    def _secret_file(self, name: str, make: str) -> str:
        path = self.ensure_data_dir() / name
        if not path.exists():
            write_private(path, make)
        return path.read_text().strip()

    @property
    def session_secret(self) -> str:
        return self.secret_key or self._secret_file("session.key", secrets.token_urlsafe(48))

    @property
    def audit_secret(self) -> str:
        return self.audit_key or self._secret_file("audit.key", secrets.token_urlsafe(48))

    @property
    def fernet_key(self) -> str:
        if self.encryption_key:
            return self.encryption_key
        from cryptography.fernet import Fernet

        return self._secret_file("encryption.key", Fernet.generate_key().decode())


def write_private(path: Path, text: str) -> None:
    """Create or replace a file readable by its owner only (0600 from the first byte)."""
    import os

    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


_override: Settings | None = None
# Called after the settings change (the database module drops its engine): modules that cache
# something derived from the settings register here, so this module imports none of them.
_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> Callable[[], None]:
    """Register a function to call whenever set_settings() replaces the settings."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


@lru_cache(maxsize=1)
def _from_environment() -> Settings:
    return Settings()


def get_settings() -> Settings:
    return _override if _override is not None else _from_environment()


def set_settings(settings: Settings | None) -> None:
    """Replace the active settings (tests, CLI options); None returns to the environment."""
    global _override
    _override = settings
    _from_environment.cache_clear()
    for listener in _listeners:
        listener()
