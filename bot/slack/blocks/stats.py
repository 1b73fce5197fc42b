"""Block Kit for `/hwerror stats [CODE]`."""

from __future__ import annotations

from slack_sdk.models.blocks import HeaderBlock, SectionBlock

from bot.core.stats import Stats
from bot.slack.blocks.text import SECTION_MAX, SlackMessage, clip, escape, mrkdwn, plain

SPARK = "▁▂▃▄▅▆▇█"


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
