"""Acked means kept: a message event is stored before Slack hears 200.

Bolt acknowledges an event before its listener runs, so what the event asks for must be kept
before that, here in middleware: one short insert of the message (its text redacted, its ids,
who sent it), then the 200. When the database cannot take the insert the answer is 503 (in
Socket Mode, no acknowledgement), and Slack delivers the event again. A redelivery of an event
already kept is acknowledged without a second copy. The answer itself comes later, from the
answer workers (bot.slack.runtime.answers), on capacity of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from sqlalchemy.exc import DBAPIError

from bot.core.build import AppSettings
from bot.core.kept import Kept
from bot.core.service import BotService
from bot.slack.files import truncated_snippets
from bot.slack.images import image_files
from bot.slack.incoming import Incoming, incoming, is_own
from bot.slack.middleware import actor_from, shared_channel

log = logging.getLogger("hwerror.slack")

PASTE = "paste"
MESSAGE_EVENTS = frozenset({"message", "app_mention"})
# What is kept of a file: where to read it, never its preview (the text is kept, redacted, apart).
FILE_FIELDS = (
    "id",
    "name",
    "mode",
    "preview_is_truncated",
    "filetype",
    "mimetype",
    "size",
    "url_private",
    "url_private_download",
)


class KeepMessages(Middleware):
    def __init__(self, service: BotService, settings: AppSettings, kept: Callable[[], None]) -> None:
        self.service = service
        self.settings = settings
        self.kept = kept  # wakes the answer workers

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        event = body.get("event") if body.get("type") == "event_callback" else None
        if not isinstance(event, dict) or event.get("type") not in MESSAGE_EVENTS:
            return next()
        context = req.context
        msg = incoming(event)
        if msg is None or is_own(msg, context.bot_user_id, context.bot_id):
            return BoltResponse(status=200, body="")
        # Files read later: snippets cut off in their preview, and screenshots (bot.slack.images).
        files = _unique([*truncated_snippets(msg.message), *image_files(msg.message)])
        if not msg.text.strip() and not files:
            return BoltResponse(status=200, body="")
        actor = actor_from(body, context, self.settings.process)
        if actor.sees_nothing:
            return BoltResponse(status=200, body="")
        kept = Kept(PASTE, _key(event, msg), msg.text, _context(msg, actor, body, context.team_id, files))
        session = self.service.sessions()
        try:
            new = self.service.keep(session, kept)
        except DBAPIError as exc:
            log.error(
                "event %s in %s not kept (database: %s): answered 503 so that Slack delivers it again",
                event.get("type"),
                msg.channel,
                type(exc.orig or exc).__name__,
            )
            return BoltResponse(status=503, body="")
        finally:
            session.close()
        if new:
            self.kept()
        return BoltResponse(status=200, body="")


def _unique(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({str(f.get("id") or id(f)): f for f in files}.values())


def _key(event: dict[str, Any], msg: Incoming) -> str:
    """One per message, and one per edit of it (an edit may carry a new error)."""
    if event.get("subtype") == "message_changed":
        return f"paste:{msg.channel}:{msg.ts}:e{event.get('event_ts') or event.get('ts')}"
    return f"paste:{msg.channel}:{msg.ts}"


def _context(
    msg: Incoming, actor: Any, body: dict[str, Any], team: str | None, snippets: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "channel": msg.channel,
        "ts": msg.ts,
        "thread_ts": msg.thread_ts,
        "in_thread": msg.in_thread,
        "user": msg.user,
        "bot_id": msg.bot_id,
        "team": team or "",
        "shared": shared_channel(body),
        "actor": {
            "user_id": actor.user_id,
            "team_id": actor.team_id,
            "name": actor.name,
            "workspace": actor.workspace,
            "external": actor.external,
        },
        "files": [{k: f.get(k) for k in FILE_FIELDS if f.get(k) is not None} for f in snippets],
    }
