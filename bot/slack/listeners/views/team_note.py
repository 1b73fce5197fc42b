"""The team-note modal was submitted: check who may save, then save with author and time."""

from __future__ import annotations

import json
from logging import Logger
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.pipeline import Pipeline
from bot.slack.blocks.card import NOTE_BLOCK, NOTE_INPUT, escape, notice
from bot.slack.middleware import Actor
from knowledge.store import add_note, get_entry


def save_note(ack: Ack, view: dict[str, Any], client: WebClient, session: Session, actor: Actor,
              pipeline: Pipeline, logger: Logger) -> None:
    if not actor.may_add_notes:
        ack(response_action="errors",
            errors={NOTE_BLOCK: "Only the people listed in HWERROR_ADMINS can save team notes."})
        return
    text = ((view.get("state", {}).get("values", {}).get(NOTE_BLOCK, {}).get(NOTE_INPUT, {}) or {})
            .get("value") or "").strip()
    if not text:
        ack(response_action="errors", errors={NOTE_BLOCK: "Write the note first."})
        return
    meta = json.loads(view.get("private_metadata") or "{}")
    entry = get_entry(session, str(meta.get("s")), str(meta.get("c")), int(meta.get("v", 0)))
    if entry is None:
        ack(response_action="errors", errors={NOTE_BLOCK: "That error is no longer in the knowledge base."})
        return
    add_note(session, entry, text, author=actor.label)
    session.commit()
    pipeline.note_added()
    ack()
    if meta.get("ch") and actor.user_id:
        try:
            client.chat_postEphemeral(channel=meta["ch"], user=actor.user_id,
                                      **notice(f"Team note saved on *{escape(entry.code)}*.").kwargs())
        except SlackApiError as exc:  # a DM or a channel the bot cannot post in: the note is saved anyway
            logger.info("note saved; confirmation not posted: %s", exc.response.get("error"))
