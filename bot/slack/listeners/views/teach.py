"""The "Add to knowledge base" modal was submitted: the service checks who may add, then adds."""

from __future__ import annotations

from logging import Logger
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.errors import NotAllowed, UserError
from bot.core.service import BotService
from bot.core.teach import Lesson
from bot.slack.blocks.teach_modal import FIELDS
from bot.slack.blocks.text import escape, notice
from bot.slack.listeners.views.modal_state import field_value, metadata
from knowledge.types import WhoActs


def save_lesson(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    session: Session,
    actor: Actor,
    service: BotService,
    logger: Logger,
) -> None:
    meta = metadata(view)
    if meta is None or not isinstance(meta.get("c"), str):
        ack(response_action="errors", errors={"service": "This form is out of date: open it again."})
        return
    status = meta.get("st")
    values = {name: field_value(view, name) for name in FIELDS}
    try:
        who = WhoActs.parse(values["who_acts"])
    except ValueError as exc:  # a forged option
        ack(response_action="errors", errors={"who_acts": str(exc)})
        return
    lesson = Lesson(
        code=meta["c"],
        status=status if isinstance(status, int) else None,
        service=values["service"],
        message=values["message"],
        description=values["description"],
        handling=values["handling"],
        doc_url=values["doc_url"] or None,
        who_acts=who,
    )
    # Each problem on its own field; one that is no field's (the code) on the service's.
    problems = {(k if k in FIELDS else "service"): v for k, v in lesson.problems().items()}
    if problems:
        ack(response_action="errors", errors=problems)
        return
    try:
        card = service.teach(session, actor, lesson)
    except NotAllowed as exc:
        ack(response_action="errors", errors={"service": str(exc)})
        return
    except UserError as exc:  # a modal answers on the field, not with a message
        ack(response_action="errors", errors={"message": str(exc)})
        return
    ack()
    if isinstance(meta.get("ch"), str) and actor.user_id:
        text = f"*{escape(card.code)}* added to the knowledge base ({escape(card.service)})."
        try:
            client.chat_postEphemeral(channel=meta["ch"], user=actor.user_id, **notice(text).kwargs())
        except SlackApiError as exc:  # the entry is saved anyway
            logger.info("lesson saved; confirmation not posted: %s", exc.response.get("error"))
