"""Where a Slack request happened, as the incident desk records it."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.core.incidents.record import Sighting
from bot.slack.incoming import Incoming


def of_message(msg: Incoming, context: BoltContext) -> Sighting:
    return Sighting(workspace=context.team_id or "", channel=msg.channel, message_key=msg.ts,
                      source="paste", text=msg.text, thread_ts=msg.thread_ts, user_id=msg.bot_id or msg.user)


def of_command(command: dict[str, Any], context: BoltContext) -> Sighting | None:
    """A slash command has no message of its own: its trigger id stands for one."""
    channel = command.get("channel_id")
    if not channel:
        return None
    return Sighting(workspace=context.team_id or command.get("team_id") or "", channel=channel,
                      message_key=f"cmd:{command.get('trigger_id') or command.get('text', '')[:40]}",
                      source="command", text=command.get("text") or "", user_id=command.get("user_id"))


def of_shortcut(shortcut: dict[str, Any], text: str, context: BoltContext) -> Sighting | None:
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    if not channel or not message.get("ts"):
        return None
    return Sighting(workspace=context.team_id or "", channel=channel, message_key=message["ts"],
                      source="shortcut", text=text, thread_ts=message.get("thread_ts") or message["ts"],
                      user_id=message.get("user") or message.get("bot_id"))
