"""Configuration from the environment (pydantic-settings). Secrets are read here and nowhere else."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.db import DEFAULT_SQLITE_PATH

MANIFEST_HINT = (
    "create the app from manifest.yml at https://api.slack.com/apps (Create New App > From a manifest), "
    "then copy the Bot User OAuth Token (OAuth & Permissions, xoxb-…) and the Signing Secret "
    "(Basic Information > App Credentials); for Socket Mode also an app-level token with the "
    "connections:write scope (Basic Information > App-Level Tokens, xapp-…)"
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = Field(default=f"sqlite:///{DEFAULT_SQLITE_PATH}")

    # Slack. SecretStr keeps the values out of reprs, logs and tracebacks.
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # The base URL of every Web API call (GovSlack, proxies, tests); Slack's own when unset.
    slack_api_base_url: str | None = None

    # HTTP mode: the port the platform gives us, and how many worker processes and threads.
    port: int = Field(default=3000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=256)
    web_threads: int = Field(default=16, ge=1, le=1024)

    # Slack user ids (comma or space separated) allowed to save team notes; empty: everyone.
    hwerror_admins: str = ""
    # A bot's messages answered per channel and minute before we stop (a guard against bot loops).
    hwerror_bot_replies_per_minute: int = Field(default=10, ge=0, le=10_000)

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(p for p in self.hwerror_admins.replace(",", " ").split() if p)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token and self.slack_app_token.get_secret_value())

    def missing_slack(self) -> list[str]:
        """The variables `hwerror serve` still needs, in the order a person would set them."""
        missing = []
        if not _present(self.slack_bot_token):
            missing.append("SLACK_BOT_TOKEN")
        if not self.socket_mode and not _present(self.slack_signing_secret):
            missing.append("SLACK_SIGNING_SECRET")
        return missing


def channel_id(value: str | None) -> str | None:
    """A Slack channel id setting (C…, G…, D…), or None when unset or empty."""
    if value and not re.fullmatch(r"[CGD][A-Z0-9]{6,20}", value):
        raise ValueError(f"{value!r} is not a Slack channel id (like C0123456789)")
    return value or None


# A setting that names a Slack channel: `field: ChannelId = None`.
ChannelId = Annotated[str | None, AfterValidator(channel_id)]


def _present(value: SecretStr | None) -> bool:
    return bool(value and value.get_secret_value().strip())


def get_settings() -> Settings:
    # Not cached: reading a handful of variables is cheap, and tests change the environment.
    return Settings()
