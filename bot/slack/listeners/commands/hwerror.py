"""`/hwerror QUERY`: the remedy card, ephemeral, in the acknowledgement itself."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.core.incidents.desk import IncidentDesk
from bot.core.pipeline import Pipeline
from bot.slack.blocks.card import HELP_WORDS, nothing_found_message, reply_message, usage_message
from bot.slack.listeners.commands.team import run_subcommand, subcommand
from bot.slack.middleware import Actor
from bot.slack.sightings import of_command


def hwerror_command(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient,
                    respond: Respond, session: Session, pipeline: Pipeline, desk: IncidentDesk,
                    actor: Actor) -> None:
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        ack(**usage_message().kwargs())
        return
    sub = subcommand(text)
    if sub is not None:
        run_subcommand(sub[0], sub[1], ack, respond, session, desk, actor)
        return
    reply = pipeline.lookup(session, text)
    message = nothing_found_message(text) if reply.empty else reply_message(reply, ephemeral=True)
    ack(**message.kwargs())  # the HTTP response: Slack shows it to the caller only
    pipeline.remember(session, reply)
    sighting = of_command(command, context)
    if sighting is not None and reply.findings:
        desk.announce(client, desk.record(session, sighting, reply.findings))
