"""One Slack message per kind of team result (bot.core.team): stats, digest, tickets, resolved,
a channel's service."""

from __future__ import annotations

from bot.core.channels import ChannelSetting, describe
from bot.core.digest.compute import Digest
from bot.core.stats import Stats
from bot.core.team import TeamResult, TicketList
from bot.slack.blocks.digest import digest_message
from bot.slack.blocks.stats import stats_message
from bot.slack.blocks.text import SlackMessage, escape, notice
from bot.slack.blocks.tickets import tickets_message


def team_message(result: TeamResult) -> SlackMessage:
    if isinstance(result, Stats):
        return stats_message(result)
    if isinstance(result, Digest):
        return digest_message(result)
    if isinstance(result, TicketList):
        return tickets_message(result.open, result.count)
    if isinstance(result, ChannelSetting):
        return notice("\n".join(escape(line) for line in describe(result)))
    ticket = result.ticket
    return notice(f"{ticket.ref} (*{escape(ticket.code)}*) is resolved. If the code comes back, it reopens.")
