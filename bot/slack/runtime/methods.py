"""Making one outbox item's Slack calls, and telling a refusal that will pass from one that won't.

Each function is given the item's payload and changes it as it goes (parts posted, the digest's
ts), and calls `progress` after every call Slack accepted, so a retry (or another process after
a crash) goes on where this one stopped instead of posting again. A post whose outcome is
unknown (a timeout, a reset, a 5xx) is tagged in its message metadata; before it is tried again
the thread is searched for the tag, so it is posted once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

EVENT_TYPE = "hwerror_delivery"
RESPONSE_URL = "response_url"
# Refusals of a message's size or form: a smaller message is tried instead.
TOO_BIG = frozenset({"msg_too_long", "msg_blocks_too_long", "invalid_blocks", "invalid_blocks_format"})
# Refusals that pass: tried again after a while.
PASSING = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# The bot is not in the channel: an interaction's response_url can still post there.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
TIMEOUT = 5.0  # seconds per call; a hung Slack must not hold a sender for long


class Verdict(StrEnum):
    RETRY = "retry"  # not delivered; try again later
    UNCERTAIN = "uncertain"  # may have been delivered; look before trying again
    TOO_BIG = "too_big"  # refused for its size: send something smaller
    FATAL = "fatal"  # refused for good (channel gone, not in channel, bad token)


@dataclass
class Failed(Exception):
    verdict: Verdict
    error: str
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.error


def judge(exc: Exception) -> Failed:
    if isinstance(exc, Failed):
        return exc
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        error = str(exc.response.get("error") or f"HTTP {status}")
        after = _retry_after(getattr(exc.response, "headers", {}) or {})
        if status == 429 or error in ("ratelimited", "rate_limited"):
            return Failed(Verdict.RETRY, error, after)
        if status >= 500:
            return Failed(Verdict.UNCERTAIN, error, after)
        if error in TOO_BIG:
            return Failed(Verdict.TOO_BIG, error)
        if error in PASSING:
            return Failed(Verdict.RETRY, error, after)
        return Failed(Verdict.FATAL, error)
    # A timeout or a dropped connection: Slack may have acted on it.
    return Failed(Verdict.UNCERTAIN, f"{type(exc).__name__}: {str(exc)[:200]}")


def _retry_after(headers: Any) -> float | None:
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key) if hasattr(headers, "get") else None
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


@dataclass
class Job:
    """One claimed item, as the calls need it."""

    item_id: int
    action: str
    payload: dict[str, Any]
    client: WebClient
    progress: Callable[[], None]  # write the payload's progress (raises if the lease was lost)
    pace: Callable[[], None]  # wait for the lane
    on_degraded: Callable[[str], None] = lambda _error: None


def post_parts(job: Job) -> None:
    """A reply or notice: its parts in order, each smaller when Slack refuses its size."""
    p = job.payload
    parts, posted = p["parts"], p["posted"]
    while parts:
        tag = {"item": job.item_id, "part": len(posted)}
        if p.get("uncertain") == tag["part"]:
            ts = _find_posted(job.client, p["channel"], p.get("thread_ts"), tag)
            p.pop("uncertain")
            if ts is not None:
                posted.append(ts)
                parts.pop(0)
                job.progress()
                continue
        job.pace()
        # If the call's answer is lost, the failure is written with this mark; if the process dies
        # during it, whoever takes the item over (its lease ran out) marks it the same way.
        p["uncertain"] = tag["part"]
        try:
            answer = job.client.chat_postMessage(
                channel=p["channel"],
                thread_ts=p.get("thread_ts"),
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": EVENT_TYPE, "event_payload": tag},
                **parts[0]["kwargs"],
            )
        except Exception as exc:  # noqa: BLE001 - judged: retried, degraded or dead
            failed = judge(exc)
            if failed.verdict is not Verdict.UNCERTAIN:
                p.pop("uncertain", None)  # refused: certainly not posted
            if failed.error in NOT_A_MEMBER and p.get("fallback_url"):
                _post_in_channel(p["fallback_url"], parts.pop(0)["kwargs"])
                posted.append("")
                job.progress()
                continue
            if failed.verdict is Verdict.TOO_BIG and parts[0].get("smaller"):
                parts[0:1] = parts[0]["smaller"]
                job.on_degraded(failed.error)
                job.progress()
                continue
            raise failed from exc
        p.pop("uncertain", None)
        posted.append(str(answer.get("ts") or ""))
        parts.pop(0)
        if parts or p.get("then") or p.get("chart"):
            job.progress()  # more calls follow: a takeover goes on from here (the last is settled)
    while p.get("then"):
        respond(Job(job.item_id, RESPONSE_URL, p["then"][0], job.client, job.progress, job.pace))
        p["then"].pop(0)
        if p["then"]:
            job.progress()


def _find_posted(client: WebClient, channel: str, thread_ts: str | None, tag: dict[str, Any]) -> str | None:
    """The ts of our message carrying `tag`, if an earlier attempt did post it."""
    if thread_ts:
        answer = client.conversations_replies(
            channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
        )
    else:
        answer = client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
    for message in answer.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == EVENT_TYPE and meta.get("event_payload") == tag:
            return str(message.get("ts"))
    return None


def _post_in_channel(url: str, kwargs: dict[str, Any]) -> None:
    body = {"response_type": "in_channel", "replace_original": False, **kwargs}
    answer = WebhookClient(url, timeout=int(TIMEOUT)).send_dict(body)
    if answer.status_code >= 400:
        verdict = Verdict.RETRY if answer.status_code == 429 or answer.status_code >= 500 else Verdict.FATAL
        raise Failed(verdict, f"response_url answered HTTP {answer.status_code}")


def post_digest(job: Job) -> None:
    """The digest's message once, then its chart in the message's thread."""
    p = job.payload
    post_parts(job)
    if p.get("chart"):
        job.pace()
        try:
            job.client.files_upload_v2(
                channel=p["channel"],
                thread_ts=p["posted"][0],
                content=bytes.fromhex(p["chart"]),
                filename=p.get("filename") or "hwerror-digest.png",
                title=p.get("title") or "Incidents per day",
            )
        except Exception as exc:  # noqa: BLE001
            raise judge(exc) from exc
        p["chart"] = None
        job.progress()


def respond(job: Job) -> None:
    """A response_url post: an ephemeral follow-up, or a card replaced in place."""
    p = job.payload
    try:
        answer = WebhookClient(p["url"], timeout=int(TIMEOUT)).send_dict(p["body"])
    except Exception as exc:  # noqa: BLE001
        raise judge(exc) from exc
    if answer.status_code == 429 or answer.status_code >= 500:
        raise Failed(Verdict.RETRY, f"response_url answered HTTP {answer.status_code}")
    if answer.status_code >= 400:
        raise Failed(Verdict.FATAL, f"response_url answered HTTP {answer.status_code} (expired or used up)")


def call(job: Job) -> None:
    """A single Web API call (chat.update, chat.postEphemeral, views.publish)."""
    args = job.payload["args"]  # outside the try: an item without them is unreadable, not a Slack failure
    job.pace()
    try:
        job.client.api_call(job.action, json=args)
    except Exception as exc:  # noqa: BLE001
        raise judge(exc) from exc
