"""The training tool's settings (HEROES_TRAINING_* variables), kept here so the core's settings stay untouched."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from heroes.core.settings import get_settings

DEFAULT_PUBLIC_URL = "https://heroes.invalid"


class TrainingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEROES_TRAINING_", env_file=".env", extra="ignore")

    lrs_url: str = Field(default="", description="An external LRS's statements endpoint to forward statements to.")
    lrs_username: str = Field(default="", description="Basic-auth user (key) for the external LRS.")
    lrs_password: str = Field(default="", description="Basic-auth password (secret) for the external LRS.")
    lrs_version: str = Field(default="1.0.3", description="xAPI version the external LRS speaks (1.0.3 or 2.0.0).")
    public_url: str = Field(
        default=DEFAULT_PUBLIC_URL, description="Base of activity ids and certificate verification links."
    )


def training_settings() -> TrainingSettings:
    return TrainingSettings()


def imported_content_dir() -> Path:
    """Courses imported with `heroes training import` live beside the database, not in the package."""
    return get_settings().data_dir / "training-content"
