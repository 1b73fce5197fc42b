"""Configuration from the environment (pydantic-settings). Secrets are read here and nowhere else."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.db import DEFAULT_SQLITE_PATH


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = Field(default=f"sqlite:///{DEFAULT_SQLITE_PATH}")


def get_settings() -> Settings:
    # Not cached: reading a handful of variables is cheap, and tests change the environment.
    return Settings()
