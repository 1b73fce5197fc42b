"""Digest settings from the environment; a bad value stops start-up with the variable's name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ChannelId
from bot.core.digest.weeks import Schedule, zone


class DigestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HWERROR_", extra="ignore")

    digest_channel: ChannelId = None
    digest_schedule: str = "mon 09:00"
    timezone: str = "UTC"

    @field_validator("digest_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        Schedule.parse(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @property
    def schedule(self) -> Schedule:
        return Schedule.parse(self.digest_schedule)

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)
