"""Block Kit for `/hwerror tickets`: the open tickets, each with a Resolve button."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement, ContextBlock, HeaderBlock, SectionBlock

from bot.core.incidents.tickets import TicketSummary
from bot.slack.blocks.ids import ActionId
from bot.slack.blocks.text import SECTION_MAX, SlackMessage, clip, escape, mrkdwn, plain, when

SHOWN = 20


def tickets_message(rows: list[TicketSummary], total: int | None = None) -> SlackMessage:
    """The newest open tickets with Resolve buttons; `total` is how many are open in all."""
    total = len(rows) if total is None else max(total, len(rows))
    if not rows:
        return SlackMessage(
            text="No open tickets.", blocks=[SectionBlock(text=mrkdwn("No open tickets.")).to_dict()]
        )
    blocks: list[Block] = [HeaderBlock(text=plain(f"Open tickets ({total})", 150))]
    for s in rows[:SHOWN]:
        t = s.ticket
        last = f", last seen {when(s.last_seen)}" if s.last_seen else ""
        line = (
            f"*{t.ref}* `{escape(t.code)}` ({escape(t.service)}): {s.incidents} incidents in "
            f"{s.channels} channel(s){last}\n{escape(t.reason)}"
        )
        blocks.append(
            SectionBlock(
                text=mrkdwn(clip(line, SECTION_MAX)),
                accessory=ButtonElement(text="Resolve", action_id=ActionId.RESOLVE, value=str(t.id)),
            )
        )
    more = total - min(len(rows), SHOWN)
    if more > 0:
        blocks.append(
            ContextBlock(
                elements=[
                    mrkdwn(f"Newest {min(len(rows), SHOWN)} shown, and {more} more: `hwerror tickets list`")
                ]
            )
        )
    return SlackMessage(text=f"{total} open tickets", blocks=[b.to_dict() for b in blocks])
