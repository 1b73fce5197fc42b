"""Text inside Block Kit: escaping, clipping and Slack's limits.

All text that comes from a person or from the knowledge base goes through `escape`: `&`, `<` and
`>` are escaped, so `<!channel>`, `<@U123>` or `<https://evil|click>` in a pasted error show as
typed and can never ping anyone or forge a link; mrkdwn objects are `verbatim`, so Slack does not
turn bare `@here` or channel names into mentions either. Sizes stay within Block Kit's limits
(50 blocks, 150-character headers, 3000-character sections, 2000-character fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import DividerBlock, MarkdownTextObject, PlainTextObject, SectionBlock

MAX_BLOCKS = 50


HEADER_MAX = 150


SECTION_MAX = 3000


FIELD_MAX = 2000


FALLBACK_MAX = 3000


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[dict[str, Any]]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


DIVIDER = DividerBlock().to_dict()


def escape(text: str) -> str:
    """Make any text inert in mrkdwn: no mentions, no links, no broadcasts."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=clip(" ".join(text.split()) or "-", limit), emoji=True)


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def safe_url(url: str | None) -> str | None:
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return None
    return url.replace("&", "&amp;")


def titled(title: str, body: str, limit: int = SECTION_MAX) -> str:
    head = f"*{title}*\n"
    return head + clip(escape(body.strip() or "-"), limit - len(head))


def notice(text: str) -> SlackMessage:
    """A one-line message; `text` must already be safe mrkdwn (escape what it quotes)."""
    return SlackMessage(text=text, blocks=[SectionBlock(text=mrkdwn(clip(text, SECTION_MAX))).to_dict()])


def when(moment: datetime) -> str:
    """A time each reader sees in their own zone (the fallback is UTC)."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"
