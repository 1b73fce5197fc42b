"""Block Kit for the weekly digest (the terminal renders the same `Digest` in bot.shell.render)."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, SectionBlock

from bot.core.digest.compute import CodeLine, Digest
from bot.slack.blocks.text import SECTION_MAX, SlackMessage, clip, escape, mrkdwn, plain


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


def _channel(channel: str) -> str:
    """A Slack channel id as a mention; the shell's `shell` (not a Slack channel) as plain text, or
    Slack would show a broken `<#shell>`."""
    return f"<#{channel}>" if re.fullmatch(r"[CGD][A-Z0-9]{6,20}", channel) else f"#{escape(channel)}"


def _section(title: str, lines: list[str]) -> SectionBlock:
    body = f"*{title}*\n" + "\n".join(f"• {line}" for line in lines)
    return SectionBlock(text=mrkdwn(clip(body, SECTION_MAX)))


def sections(digest: Digest) -> list[tuple[str, list[str]]]:
    """The digest's lists in reading order, each as (title, mrkdwn lines); empty lists left out."""
    parts = [
        ("Top codes", [_code_line(c, trend=True, ticket=True) for c in digest.top]),
        ("New this week", [_code_line(c) for c in digest.new_codes]),
        ("Not in the knowledge base yet", [_code_line(c) for c in digest.unknown]),
        ("Busiest channels", [f"{_channel(ch)} ×{n}" for ch, n in digest.channels]),
        ("Cards marked not helpful", [_code_line(c) for c in digest.not_helpful]),
    ]
    return [(title, lines) for title, lines in parts if lines]


def digest_message(digest: Digest) -> SlackMessage:
    blocks: list[Block] = [
        HeaderBlock(text=plain(digest.title, 150)),
        SectionBlock(text=mrkdwn(_headline(digest))),
    ]
    if not digest.quiet:
        for title, lines in sections(digest):
            blocks += [DividerBlock(), _section(title, lines)]
    blocks.append(ContextBlock(elements=[mrkdwn("`/hwerror stats CODE` for one code's history.")]))
    fallback = f"{digest.title}: {digest.total} incidents ({digest.change})"
    return SlackMessage(text=fallback, blocks=[b.to_dict() for b in blocks])
