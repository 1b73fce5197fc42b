"""Configuration from the environment (pydantic-settings). Secrets are read here and nowhere else."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.actor import ExternalAccess, People
from bot.core.ocr.problems import OcrSwitch
from knowledge.db import DEFAULT_SQLITE_PATH

MANIFEST_HINT = (
    "create the app from manifest.yml at https://api.slack.com/apps (Create New App > From a manifest), "
    "then copy the Bot User OAuth Token (OAuth & Permissions, xoxb-…) and the Signing Secret "
    "(Basic Information > App Credentials); for Socket Mode also an app-level token with the "
    "connections:write scope (Basic Information > App-Level Tokens, xapp-…)"
)


_HOSTNAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")
BIND_FORMS = "host:port, [ipv6]:port or unix:/path"


def bind_address(value: str | None) -> str | None:
    """An address to listen on, as gunicorn's --bind takes it; None when unset or empty."""
    value = (value or "").strip()
    if not value:
        return None
    if value.startswith("unix:"):
        if value[len("unix:") :].strip():
            return value
        raise ValueError(f"{value!r} names no socket path: {BIND_FORMS}")
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise ValueError(f"{value!r} is not an address to listen on: {BIND_FORMS}")
    if not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{value!r} has no port between 1 and 65535: {BIND_FORMS}")
    if host.startswith("[") and host.endswith("]"):
        _ip(value, host[1:-1], ipaddress.IPv6Address)
    elif re.fullmatch(r"[\d.]+", host):
        _ip(value, host, ipaddress.IPv4Address)
    elif ":" in host:
        raise ValueError(f"{value!r} is not an address to listen on: {BIND_FORMS} (IPv6 in brackets)")
    elif len(host) > 253 or not _HOSTNAME.fullmatch(host):
        raise ValueError(f"{value!r} is not an address to listen on: {BIND_FORMS}")
    return value


def _ip(value: str, host: str, kind: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]) -> None:
    try:
        kind(host)
    except ValueError:
        raise ValueError(f"{value!r} is not an address to listen on: {BIND_FORMS}") from None


# HWERROR_BIND: `field: BindAddress = None`.
BindAddress = Annotated[str | None, AfterValidator(bind_address)]


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
    # Where HTTP mode listens (host:port, [ipv6]:port, unix:/path); unset: every interface, on $PORT.
    # GUNICORN_CMD_ARGS=--bind … still wins, as it does for gunicorn itself (bot/slack/server.py).
    hwerror_bind: BindAddress = None
    web_concurrency: int = Field(default=2, ge=1, le=256)
    web_threads: int = Field(default=16, ge=1, le=1024)

    # Who may save team notes: `U…` (a user of the installing workspace) or `T…:U…`, separated by
    # commas or spaces; empty: everyone of the workspace.
    hwerror_admins: str = ""
    # Who may resolve and escalate, in the same form; empty: everyone of the workspace.
    hwerror_responders: str = ""
    # What people from outside the installing workspace (Slack Connect) get: the public card or nothing.
    hwerror_external: ExternalAccess = ExternalAccess.CARD
    # HTTP mode: request bodies above this many bytes are refused before they are read.
    hwerror_max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # A bot's messages answered per channel and minute before we stop (a guard against bot loops).
    hwerror_bot_replies_per_minute: int = Field(default=10, ge=0, le=10_000)

    # Capacity of each kind of work, per process: listeners of commands, of interactions (buttons,
    # forms, shortcuts) and of events, so none waits behind another; the workers answering kept
    # messages; the senders delivering the outbox's chat items to Slack.
    hwerror_command_threads: int = Field(default=8, ge=1, le=256)
    hwerror_interaction_threads: int = Field(default=8, ge=1, le=256)
    hwerror_event_threads: int = Field(default=4, ge=1, le=256)
    hwerror_answer_threads: int = Field(default=4, ge=1, le=256)
    hwerror_sender_threads: int = Field(default=8, ge=1, le=256)
    # How long a worker holds a kept message or chat item before another process may take it over
    # (a worker killed mid-work loses nothing: its items are taken over after this).
    hwerror_lease_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)
    # Seconds between two messages to one channel (Slack allows about one per second).
    hwerror_channel_interval: float = Field(default=1.0, ge=0.0, le=60.0)
    # How often idle workers look for items queued by other processes (or due again).
    hwerror_outbox_poll: float = Field(default=0.5, ge=0.05, le=60.0)
    # Screenshots (the `ocr` extra): read or not, how many at once, how large, how long at most.
    hwerror_ocr: OcrSwitch = OcrSwitch.ON
    hwerror_ocr_workers: int = Field(default=1, ge=1, le=32)
    hwerror_ocr_max_bytes: int = Field(default=10_000_000, ge=1024, le=200_000_000)
    hwerror_ocr_timeout: float = Field(default=30.0, gt=0, le=600)

    @property
    def admins(self) -> People:
        return People.parse(self.hwerror_admins)

    @property
    def responders(self) -> People:
        return People.parse(self.hwerror_responders)

    @property
    def bind(self) -> str:
        """The address HTTP mode listens on: HWERROR_BIND, or 0.0.0.0:$PORT as platforms expect."""
        return self.hwerror_bind or f"0.0.0.0:{self.port}"

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
