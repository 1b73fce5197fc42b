"""`/hwerror stats|digest|tickets|resolve`: the team-level sub-commands, answered to the caller only.

They read more than a card does (a week or a month of incidents), so they acknowledge at once and
answer through the response URL rather than inside Slack's 3-second window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from sqlalchemy.orm import Session

from bot.core.digest.compute import build_digest
from bot.core.digest.config import DigestSettings
from bot.core.digest.weeks import Week
from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.tickets import TicketNotFound, parse_ticket_ref, summaries
from bot.core.stats import stats
from bot.slack.blocks.card import SlackMessage, escape, notice
from bot.slack.blocks.digest import digest_message
from bot.slack.blocks.team import stats_message, tickets_message
from bot.slack.middleware import Actor
from knowledge.clock import utcnow

Handler = Callable[[str, Session, IncidentDesk, Actor, DigestSettings], SlackMessage]


def _stats(
    arg: str, session: Session, desk: IncidentDesk, actor: Actor, digest: DigestSettings
) -> SlackMessage:
    code = arg.split()[0] if arg.split() else None
    return stats_message(stats(session, utcnow(), digest.tz, code))


def _digest(
    arg: str, session: Session, desk: IncidentDesk, actor: Actor, digest: DigestSettings
) -> SlackMessage:
    week = Week.parse(arg, digest.tz) if arg.strip() else Week.containing(utcnow(), digest.tz)
    return digest_message(build_digest(session, week))


def _tickets(
    arg: str, session: Session, desk: IncidentDesk, actor: Actor, digest: DigestSettings
) -> SlackMessage:
    return tickets_message(summaries(session, status=TicketStatus.OPEN))


def _resolve(
    arg: str, session: Session, desk: IncidentDesk, actor: Actor, digest: DigestSettings
) -> SlackMessage:
    ticket_id = parse_ticket_ref(arg)
    if ticket_id is None:
        return notice(f"`{escape(arg.strip()) or ' '}` is not a ticket: try `/hwerror resolve HW-12`.")
    ticket = desk.resolve(session, ticket_id, actor.label)
    return notice(
        f"{ticket.ref} (*{escape(ticket.code)}*) is resolved. If the code comes back, it reopens."
    )


SUBCOMMANDS: dict[str, Handler] = {
    "stats": _stats,
    "digest": _digest,
    "tickets": _tickets,
    "resolve": _resolve,
}


def subcommand(text: str) -> tuple[Handler, str] | None:
    word, _, rest = text.strip().partition(" ")
    handler = SUBCOMMANDS.get(word.lower())
    return (handler, rest.strip()) if handler else None


def run_subcommand(
    handler: Handler,
    arg: str,
    ack: Ack,
    respond: Respond,
    session: Session,
    desk: IncidentDesk,
    actor: Actor,
    **_: Any,
) -> None:
    ack()
    try:
        message = handler(arg, session, desk, actor, DigestSettings())
    except (TicketNotFound, ValueError) as exc:
        message = notice(escape(str(exc)))
    respond(response_type="ephemeral", replace_original=False, **message.kwargs())
