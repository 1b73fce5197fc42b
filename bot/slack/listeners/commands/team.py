"""`/hwerror stats|digest|tickets|resolve`: the team-level sub-commands, answered to the caller only.

They read more than a card does (a week or a month of incidents), so they acknowledge at once and
answer through the response URL rather than inside Slack's 3-second window.
"""

from __future__ import annotations

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.service import BotService
from bot.core.team import TeamCommand
from bot.slack.blocks.team import team_message


def run_team_command(
    command: TeamCommand, ack: Ack, respond: Respond, session: Session, service: BotService, actor: Actor
) -> None:
    ack()
    message = team_message(service.team(session, command, actor))
    respond(response_type="ephemeral", replace_original=False, **message.kwargs())
