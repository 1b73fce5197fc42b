"""The digest for Slack (Block Kit) and for a terminal (Rich). Both read the same `Digest`."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape as rich_escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, SectionBlock

from bot.core.digest.compute import CodeLine, Digest
from bot.slack.blocks.card import SECTION_MAX, SlackMessage, clip, escape, mrkdwn, plain


def _title(digest: Digest) -> str:
    w = digest.week
    return f"hwerror weekly digest, {w.label} ({w.days()[0]:%d %b} to {w.days()[-1]:%d %b %Y}, {w.tz.key})"


def _headline(digest: Digest) -> str:
    if digest.quiet:
        return "No Huawei Cloud errors were seen this week. Quiet week!"
    t = digest.tickets
    return (
        f"*{digest.total}* incidents ({digest.change}). Tickets: {t['opened']} opened, "
        f"{t['resolved']} resolved, {t['reopened']} reopened."
    )


def _code_line(line: CodeLine, *, trend: bool = False, ticket: bool = False) -> str:
    parts = [f"`{escape(line.code)}` ×{line.count}"]
    if trend:
        parts.append(f"({line.trend})")
    if line.message:
        parts.append(clip(escape(line.message), 90))
    if ticket and line.ticket:
        parts.append(f"[{escape(line.ticket)}]")
    return " ".join(parts)


def _section(title: str, lines: list[str]) -> SectionBlock:
    body = f"*{title}*\n" + "\n".join(f"• {line}" for line in lines)
    return SectionBlock(text=mrkdwn(clip(body, SECTION_MAX)))


def sections(digest: Digest) -> list[tuple[str, list[str]]]:
    """The digest's lists in reading order, each as (title, mrkdwn lines); empty lists left out."""
    parts = [
        ("Top codes", [_code_line(c, trend=True, ticket=True) for c in digest.top]),
        ("New this week", [_code_line(c) for c in digest.new_codes]),
        ("Not in the knowledge base yet", [_code_line(c) for c in digest.unknown]),
        ("Busiest channels", [f"<#{escape(ch)}> ×{n}" for ch, n in digest.channels]),
        ("Cards marked not helpful", [_code_line(c) for c in digest.not_helpful]),
    ]
    return [(title, lines) for title, lines in parts if lines]


def digest_message(digest: Digest) -> SlackMessage:
    blocks: list[Block] = [HeaderBlock(text=plain(_title(digest), 150)),
                           SectionBlock(text=mrkdwn(_headline(digest)))]
    if not digest.quiet:
        for title, lines in sections(digest):
            blocks += [DividerBlock(), _section(title, lines)]
    blocks.append(ContextBlock(elements=[mrkdwn("`/hwerror stats CODE` for one code's history.")]))
    fallback = f"{_title(digest)}: {digest.total} incidents ({digest.change})"
    return SlackMessage(text=fallback, blocks=[b.to_dict() for b in blocks])


def digest_panel(digest: Digest) -> Panel:
    parts: list[Text | Table] = [Text.from_markup(rich_escape(_headline(digest)).replace("*", ""))]
    if not digest.quiet:
        top = Table(title="Top codes", title_justify="left")
        for column in ("Code", "Service", "This week", "Last week", "Trend", "Ticket", "Error"):
            top.add_column(column, overflow="fold")
        for c in digest.top:
            top.add_row(rich_escape(c.code), rich_escape(c.service), str(c.count), str(c.previous), c.trend,
                        rich_escape(c.ticket or ""), rich_escape(c.message))
        parts.append(top)
        for title, lines in sections(digest)[1:]:
            parts.append(Text(title, style="bold"))
            parts.extend(Text("  • " + line.replace("`", "").replace("&lt;", "<").replace("&gt;", ">")
                              .replace("&amp;", "&").replace("<#", "#")) for line in lines)
    return Panel(Group(*parts), title=rich_escape(_title(digest)), title_align="left")
