"""Escalation and ticket settings from the environment. A bad value stops start-up, naming it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ChannelId

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    m = _DURATION.match(text)
    if not m or int(m[1]) == 0:
        raise ValueError(f"{text!r} is not a duration such as 30m, 24h or 7d")
    return timedelta(**{_UNITS[m[2].lower()]: int(m[1])})


class EscalationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HWERROR_", extra="ignore")

    escalation_channel: ChannelId = None
    escalate_count: int = Field(default=5, ge=1, le=100_000)
    escalate_window: timedelta = timedelta(hours=24)
    escalate_channels: int = Field(default=3, ge=1, le=10_000)
    escalate_support_count: int = Field(default=2, ge=1, le=100_000)

    @field_validator("escalate_window", mode="before")
    @classmethod
    def _window(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value


class TicketSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HWERROR_", extra="ignore")

    ticket_backend: Literal["internal", "webhook", "jira", "huaweicloud"] = "internal"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    jira_url: str | None = None
    jira_project: str | None = None
    jira_issue_type: str = "Bug"
    jira_email: str | None = None
    jira_token: SecretStr | None = None
    huaweicloud_region: str = "ap-southeast-1"
    huaweicloud_osm_endpoint: str | None = None
    huaweicloud_ak: SecretStr | None = None
    huaweicloud_sk: SecretStr | None = None
    huaweicloud_project_id: str | None = None
    huaweicloud_business_type_id: str | None = None
    # The account (domain) id: given, the SDK signs requests with it; absent, the SDK asks IAM for it.
    huaweicloud_domain_id: str | None = None
    huaweicloud_incident_sub_type_id: str | None = None
    huaweicloud_product_category_id: str | None = None
    jira_resolve_transition: str | None = None  # e.g. "Done"; unset: resolving only comments
    jira_reopen_transition: str | None = None  # e.g. "Reopen"; unset: reopening only comments
    # Per socket operation; a slower answer is "unavailable" and retried with backoff.
    ticket_http_timeout: float = Field(default=10.0, gt=0, le=120)
    outbox_max_attempts: int = Field(default=12, ge=1, le=100)
    outbox_backoff_base: timedelta = timedelta(seconds=30)
    outbox_backoff_max: timedelta = timedelta(hours=1)
    # How long a claimed item is a worker's alone. Longer than the slowest call (a Jira create is up
    # to three requests of ticket_http_timeout each), so a live worker never loses its item.
    outbox_lease: timedelta = timedelta(minutes=2)
    outbox_poll_interval: timedelta = timedelta(seconds=5)

    @field_validator(
        "outbox_backoff_base", "outbox_backoff_max", "outbox_lease", "outbox_poll_interval", mode="before"
    )
    @classmethod
    def _durations(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    def secret_values(self) -> list[str]:
        """The configured secrets in clear, so error text can be scrubbed of them before it is stored."""
        secrets = (self.webhook_secret, self.jira_token, self.huaweicloud_ak, self.huaweicloud_sk)
        return [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]

    @model_validator(mode="after")
    def _backend_needs(self) -> TicketSettings:
        missing: list[str] = []
        if self.ticket_backend == "webhook":
            missing = [n for n in ("webhook_url", "webhook_secret") if getattr(self, n) is None]
        elif self.ticket_backend == "jira":
            missing = [n for n in ("jira_url", "jira_project", "jira_token") if getattr(self, n) is None]
        elif self.ticket_backend == "huaweicloud" and (self.huaweicloud_ak or self.huaweicloud_sk):
            # Without AK/SK the backend makes no call (the card links to the console); with half a
            # key pair, or without the problem type CreateCases requires, every call would fail.
            missing = [
                n
                for n in ("huaweicloud_ak", "huaweicloud_sk", "huaweicloud_business_type_id")
                if getattr(self, n) is None
            ]
        if missing:
            names = ", ".join(f"HWERROR_{n.upper()}" for n in missing)
            raise ValueError(f"HWERROR_TICKET_BACKEND={self.ticket_backend} needs {names}")
        for name in ("webhook_url", "jira_url", "huaweicloud_osm_endpoint"):
            url = getattr(self, name)
            if url is not None and not re.match(r"^https?://[^\s/]+", url):
                raise ValueError(f"HWERROR_{name.upper()}={url!r} is not an http(s) URL")
        if self.outbox_backoff_max < self.outbox_backoff_base:
            raise ValueError(
                "HWERROR_OUTBOX_BACKOFF_MAX must not be shorter than HWERROR_OUTBOX_BACKOFF_BASE"
            )
        return self
