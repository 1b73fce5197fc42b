"""The Slack Web API client: our base URL (GovSlack, proxies, tests) and retries on 429."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings

DEFAULT_BASE_URL = WebClient.BASE_URL


def api_base_url(settings: Settings) -> str:
    base = (settings.slack_api_base_url or "").strip() or DEFAULT_BASE_URL
    return base.rstrip("/") + "/"


def bot_token(settings: Settings) -> str | None:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None


def web_client(settings: Settings, *, rate_limit_retries: int = 2) -> WebClient:
    """A WebClient whose every call goes to SLACK_API_BASE_URL and that waits out 429s.

    The rate-limit handler sleeps for the Retry-After that Slack sends, then tries again; the
    default handler for dropped connections stays in place.
    """
    client = WebClient(token=bot_token(settings), base_url=api_base_url(settings), timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


def sender_client(settings: Settings, *, timeout: int = 5) -> WebClient:
    """The chat sender's client: no retry handlers at all. The sender judges every failure itself
    (a 429 is rescheduled, not slept on; a dropped connection may have posted, so it is looked
    up before it is tried again), and a short timeout keeps a hung Slack from holding it."""
    return WebClient(
        token=bot_token(settings), base_url=api_base_url(settings), timeout=timeout, retry_handlers=[]
    )
