"""Block Kit for the team-level messages: escalation cards, tickets, stats and the App Home tab.

Every text from a person or the knowledge base goes through `escape` (bot.slack.blocks.card), so nothing
here can ping anyone or forge a link; channel ids are rendered as <#C…> links on purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.digest.compute import Digest
from bot.core.incidents.backends import TicketView
from bot.core.incidents.enums import EscalationAction
from bot.core.incidents.tickets import TicketSummary
from bot.core.stats import Stats
from bot.slack.blocks.card import SECTION_MAX, SlackMessage, _safe_url, clip, escape, mrkdwn, plain
from bot.slack.blocks.digest import sections

RESOLVE = "hwerror_resolve_ticket"
HOME_MAX_BLOCKS = 100
SPARK = "▁▂▃▄▅▆▇█"


def _when(moment: datetime) -> str:
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def _channels(ids: tuple[str, ...] | list[str], limit: int = 10) -> str:
    shown = " ".join(f"<#{escape(c)}>" for c in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def ticket_link(view: TicketView, external_url: str | None, console_url: str | None) -> str:
    url = _safe_url(external_url) or _safe_url(console_url)
    label = view.ref
    if url and external_url:
        return f"{label} (<{url}|external ticket>)"
    if url:
        return f"{label} (<{url}|open a Huawei Cloud service ticket>)"
    return label


def escalation_message(
    view: TicketView, action: str, *, external_url: str | None = None, console_url: str | None = None
) -> SlackMessage:
    """The card in the escalation channel when a code is escalated (or comes back)."""
    verb = {EscalationAction.OPENED: "Escalated", EscalationAction.REOPENED: "Came back after its ticket was resolved"}.get(action, action)
    head = f"{verb}: {view.code} {view.message.splitlines()[0] if view.message else ''}"
    facts = (
        f"*Why:* {escape(view.reason)}\n"
        f"*Seen:* {view.incident_count} times in {len(view.channels)} channel(s): "
        f"{_channels(view.channels)}\n"
        f"*First seen:* {_when(view.first_seen)}   *Last seen:* {_when(view.last_seen)}\n"
        f"*Ticket:* {ticket_link(view, external_url, console_url)}"
        + (f"   (reopened {view.times_reopened}×)" if view.times_reopened else "")
    )
    blocks: list[Block] = [
        HeaderBlock(text=plain(head, 150)),
        SectionBlock(text=mrkdwn(clip(facts, SECTION_MAX))),
    ]
    if view.handling:
        blocks.append(SectionBlock(text=mrkdwn(clip("*What to do*\n" + escape(view.handling), SECTION_MAX))))
    if view.request_ids:
        ids = ", ".join(f"`{escape(r)}`" for r in view.request_ids[:5])
        blocks.append(ContextBlock(elements=[mrkdwn(f"Request ids: {ids}")]))
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(text="Resolve", action_id=RESOLVE, value=str(view.ticket_id), style="primary")
            ]
        )
    )
    text = f"{verb}: {view.code} ({view.ref}), {view.incident_count} incidents. {view.reason}"
    return SlackMessage(text=clip(escape(text), 3000), blocks=[b.to_dict() for b in blocks])


def thread_notice(view: TicketView, action: str) -> SlackMessage:
    """The reply in the thread that tipped a code over."""
    what = "reopened" if action is EscalationAction.REOPENED else "opened"
    text = (
        f":rotating_light: *{escape(view.code)}* {escape(view.reason)}: ticket {view.ref} "
        f"{what}; the escalation channel has the details."
    )
    return SlackMessage(text=text, blocks=[SectionBlock(text=mrkdwn(text)).to_dict()])


def tickets_message(rows: list[TicketSummary]) -> SlackMessage:
    if not rows:
        return SlackMessage(
            text="No open tickets.", blocks=[SectionBlock(text=mrkdwn("No open tickets.")).to_dict()]
        )
    blocks: list[Block] = [HeaderBlock(text=plain(f"Open tickets ({len(rows)})", 150))]
    for s in rows[:20]:
        t = s.ticket
        last = f", last seen {_when(s.last_seen)}" if s.last_seen else ""
        line = (
            f"*{t.ref}* `{escape(t.code)}` ({escape(t.service)}): {s.incidents} incidents in "
            f"{s.channels} channel(s){last}\n{escape(t.reason)}"
        )
        blocks.append(
            SectionBlock(
                text=mrkdwn(clip(line, SECTION_MAX)),
                accessory=ButtonElement(text="Resolve", action_id=RESOLVE, value=str(t.id)),
            )
        )
    if len(rows) > 20:
        blocks.append(ContextBlock(elements=[mrkdwn(f"and {len(rows) - 20} more: `hwerror tickets list`")]))
    return SlackMessage(text=f"{len(rows)} open tickets", blocks=[b.to_dict() for b in blocks])


def _spark(values: list[int]) -> str:
    top = max(values) if values else 0
    return "".join(SPARK[min(7, (v * 7 + top - 1) // top)] if top and v else "·" for v in values)


def stats_message(stats: Stats) -> SlackMessage:
    counts = "   ".join(f"*{label}:* {n}" for label, n in stats.counts.items())
    title = f"Stats for {stats.code}" if stats.code else "hwerror stats"
    lines = [counts]
    if stats.channels:
        lines.append("*Channels (30 days):* " + ", ".join(f"<#{escape(c)}> ×{n}" for c, n in stats.channels))
    if stats.code:
        lines.append("*Tickets:* " + (", ".join(escape(t) for t in stats.tickets) or "none"))
        if stats.days:
            lines.append(
                f"*Per day, {stats.days[0]:%d %b} to {stats.days[-1]:%d %b}:* `{_spark(stats.daily)}`"
                f" (peak {max(stats.daily)})"
            )
    else:
        lines.append(f"*Open tickets:* {stats.open_tickets}")
        if stats.top_codes:
            lines.append(
                "*Top codes (7 days):* " + ", ".join(f"`{escape(c)}` ×{n}" for c, n in stats.top_codes)
            )
    blocks = [
        HeaderBlock(text=plain(title, 150)),
        SectionBlock(text=mrkdwn(clip("\n".join(lines), SECTION_MAX))),
    ]
    fallback = f"{title}: " + ", ".join(f"{n} in {label}" for label, n in stats.counts.items())
    return SlackMessage(text=escape(fallback), blocks=[b.to_dict() for b in blocks])


def home_view(digest: Digest, open_tickets: list[TicketSummary]) -> dict[str, Any]:
    """The App Home tab: this week's top codes, open tickets, knowledge gaps, least helpful cards."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("hwerror: this week", 150)),
        SectionBlock(
            text=mrkdwn(
                f"*{digest.total}* incidents since Monday ({escape(digest.change)}). "
                f"*{len(open_tickets)}* open ticket(s)."
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
        for s in open_tickets[: HOME_MAX_BLOCKS - len(blocks) - 2]:
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
                    accessory=ButtonElement(text="Resolve", action_id=RESOLVE, value=str(t.id)),
                )
            )
    blocks.append(ContextBlock(elements=[mrkdwn("`/hwerror help` for commands.")]))
    return View(type="home", blocks=blocks[:HOME_MAX_BLOCKS]).to_dict()
