"""Block Kit for the App Home tab: this week's top codes, open tickets, knowledge gaps, unhelpful cards."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.digest.compute import Digest
from bot.core.incidents.tickets import TicketSummary
from bot.slack.blocks.digest import sections
from bot.slack.blocks.ids import ActionId
from bot.slack.blocks.text import SECTION_MAX, clip, escape, mrkdwn, plain

HOME_MAX_BLOCKS = 100


def outside_home_view() -> dict[str, Any]:
    """The App Home tab for someone from outside the workspace: no counts, tickets or codes."""
    text = "hwerror explains Huawei Cloud errors: try `/hwerror AIS.0027`."
    return View(type="home", blocks=[SectionBlock(text=mrkdwn(text))]).to_dict()


def home_view(digest: Digest, open_tickets: list[TicketSummary], total: int | None = None) -> dict[str, Any]:
    """The App Home tab: this week's top codes, open tickets, knowledge gaps, least helpful cards.
    `total`: how many tickets are open in all (`open_tickets` holds the newest)."""
    total = len(open_tickets) if total is None else max(total, len(open_tickets))
    blocks: list[Block] = [
        HeaderBlock(text=plain("hwerror: this week", 150)),
        SectionBlock(
            text=mrkdwn(
                f"*{digest.total}* incidents since Monday ({escape(digest.change)}). "
                f"*{total}* open ticket(s)."
            )
        ),
    ]
    parts = dict(sections(digest))
    for title in ("Top codes", "Not in the knowledge base yet", "Cards marked not helpful"):
        if title in parts:
            blocks += [
                DividerBlock(),
                SectionBlock(
                    text=mrkdwn(
                        clip(f"*{title}*\n" + "\n".join(f"• {line}" for line in parts[title]), SECTION_MAX)
                    )
                ),
            ]
    if open_tickets:
        blocks += [DividerBlock(), SectionBlock(text=mrkdwn("*Open tickets*"))]
        shown = open_tickets[: HOME_MAX_BLOCKS - len(blocks) - 3]
        for s in shown:
            t = s.ticket
            blocks.append(
                SectionBlock(
                    text=mrkdwn(
                        clip(
                            f"*{t.ref}* `{escape(t.code)}`: {s.incidents} incidents, "
                            f"{s.channels} channel(s)\n{escape(t.reason)}",
                            SECTION_MAX,
                        )
                    ),
                    accessory=ButtonElement(text="Resolve", action_id=ActionId.RESOLVE, value=str(t.id)),
                )
            )
        if total > len(shown):
            blocks.append(
                ContextBlock(
                    elements=[
                        mrkdwn(f"and {total - len(shown)} more: `/hwerror tickets` or `hwerror tickets list`")
                    ]
                )
            )
    blocks.append(ContextBlock(elements=[mrkdwn("`/hwerror help` for commands.")]))
    return View(type="home", blocks=blocks[:HOME_MAX_BLOCKS]).to_dict()
