"""`/hwerror QUERY`: the remedy card, ephemeral, in the acknowledgement itself.

The card comes from the catalogue in memory, so it is ready within Slack's three seconds even
while the database is away; the sighting is recorded after the acknowledgement (or held until
the database is back), and any escalation notice it causes is owed through the outbox."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.outgoing import Outgoing
from bot.core.service import BotService
from bot.core.team import HELP_WORDS, parse
from bot.slack.blocks.reply import nothing_found_message, reply_message, usage_message
from bot.slack.listeners.commands.team import run_team_command
from bot.slack.sightings import of_command


def hwerror_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    session: Session,
    service: BotService,
    outgoing: Outgoing,
    actor: Actor,
) -> None:
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        ack(**usage_message().kwargs())
        return
    channel = command.get("channel_id")
    team = parse(text, channel)
    if team is not None:
        run_team_command(team, ack, respond, session, service, actor)
        return
    reply = service.lookup(session, text, actor, channel=channel)
    message = nothing_found_message(text) if reply.empty else reply_message(reply, ephemeral=True)
    ack(**message.kwargs())  # the HTTP response: Slack shows it to the caller only
    service.record_or_hold(session, reply, of_command(command, context), actor, outgoing)
