"""Where a Slack request happened, as the incident desk records it (a `Sighting`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext

from bot.core.actor import Actor
from bot.core.incidents.enums import Source
from bot.core.incidents.record import Sighting
from bot.slack.incoming import Incoming

if TYPE_CHECKING:
    from bot.slack.listeners.actions.common import Pressed


def of_message(msg: Incoming, context: BoltContext, text: str | None = None) -> Sighting:
    return Sighting(
        workspace=context.team_id or "",
        channel=msg.channel,
        message_key=msg.ts,
        source=Source.PASTE,
        text=msg.text if text is None else text,
        thread_ts=msg.thread_ts,
        user_id=msg.bot_id or msg.user,
    )


def of_command(command: dict[str, Any], context: BoltContext) -> Sighting | None:
    """A slash command has no message of its own: its trigger id stands for one."""
    channel = command.get("channel_id")
    if not channel:
        return None
    return Sighting(
        workspace=context.team_id or command.get("team_id") or "",
        channel=channel,
        message_key=f"cmd:{command.get('trigger_id') or command.get('text', '')[:40]}",
        source=Source.COMMAND,
        text=command.get("text") or "",
        user_id=command.get("user_id"),
    )


def of_shortcut(shortcut: dict[str, Any], text: str, context: BoltContext) -> Sighting | None:
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    if not channel or not message.get("ts"):
        return None
    return Sighting(
        workspace=context.team_id or "",
        channel=channel,
        message_key=message["ts"],
        source=Source.SHORTCUT,
        text=text,
        thread_ts=message.get("thread_ts") or message["ts"],
        user_id=message.get("user") or message.get("bot_id"),
    )


def of_button(p: Pressed, actor: Actor, context: BoltContext) -> Sighting:
    """ "Escalate now": one sighting per person and card message, so pressing twice counts once."""
    return Sighting(
        workspace=context.team_id or "",
        channel=p.channel or "",
        source=Source.BUTTON,
        message_key=f"escalate:{p.message_ts or ''}:{actor.user_id or actor.name}"[:80],
        text=f"Escalate now pressed by {actor.label}",
        thread_ts=p.thread_ts,
        user_id=actor.user_id,
        message_ts=p.message_ts,
    )
