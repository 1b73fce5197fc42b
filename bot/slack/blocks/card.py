"""Block Kit for every message and modal the bot sends (slack_sdk.models.blocks), and nothing else.

All text that comes from a person or from the knowledge base goes through `mrkdwn`: `&`, `<` and
`>` are escaped, so `<!channel>`, `<@U123>` or `<https://evil|click>` in a pasted error show as
typed and can never ping anyone or forge a link; mrkdwn objects are `verbatim`, so Slack does not
turn bare `@here` or channel names into mentions either. Sizes stay within Block Kit's limits
(50 blocks, 150-character headers, 3000-character sections, 2000-character fields).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.cards import Card, Choice, ChoiceCard, RemedyCard, UnknownCard
from bot.core.pipeline import Key, Reply

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
FALLBACK_MAX = 3000
NOTE_MAX = 1000

# action_id / callback_id of every interactive element, shared with the listeners.
POST = "hwerror_post"
HELPFUL = "hwerror_helpful"
NOT_HELPFUL = "hwerror_not_helpful"
ESCALATE = "hwerror_escalate"
ADD_NOTE = "hwerror_add_note"
PICK = "hwerror_pick"  # PICK:0, PICK:1, … (unique within an actions block)
NOTE_MODAL = "hwerror_note_modal"
NOTE_BLOCK = "note"
NOTE_INPUT = "note_text"
SHORTCUT = "hwerror_explain"
HELP_WORDS = frozenset({"", "help", "-h", "--help", "?", "usage"})

USAGE = (
    "*hwerror* explains Huawei Cloud API errors.\n"
    "• `/hwerror AIS.0027`: the remedy card for a code (only you see it; a button posts it)\n"
    "• `/hwerror ais 27`, `/hwerror token is empty`: typos and error messages work too\n"
    "• `/hwerror {\"error_code\": …}`: paste a whole error body, SDK exception or log line\n"
    "• Paste an error in a channel I am in: I answer in the thread\n"
    "• *Explain Huawei error* in a message's ⋮ menu: the same, on any message\n"
    "• `/hwerror stats [CODE]`: how often, where, and tickets (24 h, 7 days, 30 days)\n"
    "• `/hwerror digest`: this week so far · `/hwerror tickets`: open tickets · "
    "`/hwerror resolve HW-12`: close one"
)


@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[dict[str, Any]]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


DIVIDER = DividerBlock().to_dict()

# -- text ------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Make any text inert in mrkdwn: no mentions, no links, no broadcasts."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=clip(" ".join(text.split()) or "-", limit), emoji=True)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _safe_url(url: str | None) -> str | None:
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return None
    return url.replace("&", "&amp;")


def _titled(title: str, body: str, limit: int = SECTION_MAX) -> str:
    head = f"*{title}*\n"
    return head + clip(escape(body.strip() or "-"), limit - len(head))


def button_value(key: Key, thread_ts: str | None = None) -> str:
    value: dict[str, Any] = {"s": key[0], "c": key[1], "v": key[2]}
    if thread_ts:
        value["t"] = thread_ts
    return json.dumps(value, separators=(",", ":"))


def parse_value(value: str) -> tuple[Key, str | None]:
    data = json.loads(value)
    return (str(data["s"]), str(data["c"]), int(data["v"])), data.get("t")


# -- cards -----------------------------------------------------------------------------------------


def remedy_blocks(card: RemedyCard, i: int, *, ephemeral: bool, thread_ts: str | None = None) -> list[Block]:
    fields = [
        mrkdwn(f"*HTTP status*\n{card.status if card.status is not None else '-'}"),
        mrkdwn(_titled("Service", card.service, FIELD_MAX)),
        mrkdwn(f"*Who acts*\n{card.who_acts.label}"),
    ]
    if card.seen_7d is not None:
        fields.append(mrkdwn(f"*Seen in the last 7 days*\n{card.seen_7d}"))
    if card.ticket is not None:
        fields.append(mrkdwn(_titled("Ticket", card.ticket, FIELD_MAX)))
    if card.request_id:
        fields.append(mrkdwn(_titled("Request ID", card.request_id, 200)))
    blocks: list[Block] = [
        HeaderBlock(block_id=f"c{i}.head",
                    text=plain(f"{card.code} {_first_line(card.message)}", HEADER_MAX)),
        SectionBlock(block_id=f"c{i}.fields", fields=fields),
        SectionBlock(block_id=f"c{i}.means", text=mrkdwn(_titled("What it means", card.description))),
        SectionBlock(block_id=f"c{i}.todo", text=mrkdwn(_titled("What to do", card.handling))),
    ]
    if card.notes:
        lines = [f"• {escape(n.text)} ({escape(n.author)}, {n.at:%Y-%m-%d})" for n in reversed(card.notes)]
        text = "*Team notes*\n" + "\n".join(lines)
        blocks.append(SectionBlock(block_id=f"c{i}.notes", text=mrkdwn(clip(text, SECTION_MAX))))
    if not card.confident:
        blocks.append(ContextBlock(block_id=f"c{i}.unsure", elements=[
            mrkdwn("Not sure this is the error you meant." + (" Did you mean:" if card.alternatives else ""))
        ]))
        if card.alternatives:
            blocks.append(_pick_actions(f"c{i}.pick", card.alternatives, thread_ts))
    blocks.append(ContextBlock(block_id=f"c{i}.meta", elements=_meta(card)))
    blocks.append(ActionsBlock(block_id=f"c{i}.act", elements=_card_buttons(card, ephemeral, thread_ts)))
    return blocks


def _meta(card: RemedyCard) -> list[MarkdownTextObject]:
    parts = []
    url = _safe_url(card.doc_url)
    if url:
        parts.append(f"<{url}|Documentation>")
    t = card.tally
    if t.helpful or t.not_helpful:
        parts.append(f":+1: {t.helpful}  :-1: {t.not_helpful}")
    if t.escalations:
        parts.append(f":rotating_light: escalation requested ({t.escalations})")
    return [mrkdwn(" · ".join(parts) if parts else escape(card.service))]


def _card_buttons(card: RemedyCard, ephemeral: bool, thread_ts: str | None) -> list[ButtonElement]:
    value = button_value(card.key, thread_ts)
    buttons = []
    if ephemeral:
        buttons.append(ButtonElement(text=plain("Post to channel", 75), action_id=POST, value=value,
                                     style="primary"))
    buttons += [
        ButtonElement(text=plain(":+1: Helpful", 75), action_id=HELPFUL, value=value),
        ButtonElement(text=plain(":-1: Not helpful", 75), action_id=NOT_HELPFUL, value=value),
        ButtonElement(
            text=plain("Escalate now", 75), action_id=ESCALATE, value=value, style="danger",
            confirm=ConfirmObject(
                title=plain("Escalate this error?", 100),
                text=plain(f"Ask for a ticket about {card.code} now.", 300),
                confirm=plain("Escalate", 30),
                deny=plain("Cancel", 30),
            ),
        ),
        ButtonElement(text=plain("Add team note", 75), action_id=ADD_NOTE, value=value),
    ]
    return buttons


def _pick_actions(block_id: str, choices: tuple[Choice, ...], thread_ts: str | None) -> ActionsBlock:
    return ActionsBlock(block_id=block_id, elements=[
        ButtonElement(text=plain(c.code, 75), action_id=f"{PICK}:{n}", value=button_value(c.key, thread_ts))
        for n, c in enumerate(choices[:5])
    ])


def _choice_lines(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"• `{escape(c.code)}` {escape(clip(_first_line(c.message), 150))}" for c in choices[:5])


def unknown_blocks(card: UnknownCard, i: int, thread_ts: str | None = None) -> list[Block]:
    text = f"*`{escape(clip(card.code, 64))}` is not in the knowledge base yet.*"
    if card.status is not None:
        text += f" (HTTP {card.status})"
    if card.message:
        text += "\n> " + escape(clip(" ".join(card.message.split()), 500))
    blocks: list[Block] = [SectionBlock(block_id=f"c{i}.unknown", text=mrkdwn(text))]
    note = "Recorded as a knowledge gap, so the team can add it."
    if card.candidates:
        note += " Close matches:\n" + _choice_lines(card.candidates)
    blocks.append(ContextBlock(block_id=f"c{i}.gap", elements=[mrkdwn(clip(note, SECTION_MAX))]))
    if card.candidates:
        blocks.append(_pick_actions(f"c{i}.pick", card.candidates, thread_ts))
    return blocks


def choice_blocks(card: ChoiceCard, i: int, thread_ts: str | None = None) -> list[Block]:
    text = f"`{escape(clip(card.code, 64))}` could be any of these:\n" + _choice_lines(card.candidates)
    return [
        SectionBlock(block_id=f"c{i}.choose", text=mrkdwn(clip(text, SECTION_MAX))),
        _pick_actions(f"c{i}.pick", card.candidates, thread_ts),
    ]


@lru_cache(maxsize=2048)
def card_dicts(card: Card, i: int, ephemeral: bool, thread_ts: str | None) -> tuple[dict[str, Any], ...]:
    """A card's blocks as JSON-ready dicts, memoised: cards are immutable and the same few are asked
    for again and again, and slack_sdk's to_dict() validation is the costliest step of an answer.
    The dicts are shared between answers: read them, never change them."""
    return tuple(b.to_dict() for b in card_blocks(card, i, ephemeral=ephemeral, thread_ts=thread_ts))


def card_blocks(card: Card, i: int, *, ephemeral: bool, thread_ts: str | None = None) -> list[Block]:
    if isinstance(card, RemedyCard):
        return remedy_blocks(card, i, ephemeral=ephemeral, thread_ts=thread_ts)
    if isinstance(card, UnknownCard):
        return unknown_blocks(card, i, thread_ts)
    return choice_blocks(card, i, thread_ts)


def _fallback(card: Card) -> str:
    if isinstance(card, RemedyCard):
        return f"{card.code}: {_first_line(card.message)} What to do: {_first_line(card.handling)}"
    if isinstance(card, UnknownCard):
        return f"{card.code} is not in the knowledge base yet."
    return f"{card.code} could be {', '.join(c.code for c in card.candidates)}."


# -- whole messages --------------------------------------------------------------------------------


def reply_message(reply: Reply, *, ephemeral: bool, thread_ts: str | None = None) -> SlackMessage:
    """Up to five cards, divided, and the remaining codes by name; never more than 50 blocks."""
    blocks: list[dict[str, Any]] = []
    more = list(reply.more)
    for i, card in enumerate(reply.cards):
        part = card_dicts(card, i, ephemeral, thread_ts)
        if len(blocks) + len(part) + 2 > MAX_BLOCKS:  # room for a divider and the "also found" line
            more = [c.code for c in reply.cards[i:]] + more
            break
        if blocks:
            blocks.append(DIVIDER)
        blocks += part
    if more:
        names = ", ".join(f"`{escape(clip(c, 64))}`" for c in more)
        blocks.append(ContextBlock(block_id="more", elements=[
            mrkdwn(clip(f"Also found: {names}. Ask `/hwerror CODE` for any of them.", SECTION_MAX))
        ]).to_dict())
    texts = [_fallback(c) for c in reply.cards]
    if more:
        texts.append("Also found: " + ", ".join(more))
    text = clip(escape(" | ".join(texts)), FALLBACK_MAX)
    return SlackMessage(text=text, blocks=blocks)


def replace_card(blocks: list[dict[str, Any]], i: int, new: list[Block]) -> list[dict[str, Any]]:
    """The message's blocks with card number i re-rendered (after a vote, an escalation, a note)."""
    prefix = f"c{i}."
    out: list[dict[str, Any]] = []
    done = False
    for b in blocks:
        if str(b.get("block_id", "")).startswith(prefix):
            if not done:
                out += [x.to_dict() for x in new]
                done = True
            continue
        out.append(b)
    return out


def card_index(block_id: str | None) -> int | None:
    if not block_id or not block_id.startswith("c") or "." not in block_id:
        return None
    head = block_id[1:].split(".", 1)[0]
    return int(head) if head.isdigit() else None


def usage_message() -> SlackMessage:
    return SlackMessage(text="hwerror explains Huawei Cloud API errors: /hwerror AIS.0027",
                        blocks=[SectionBlock(text=mrkdwn(USAGE)).to_dict()])


def nothing_found_message(query: str) -> SlackMessage:
    shown = escape(clip(" ".join(query.split()), 300))
    text = (f"I found no Huawei Cloud error code in _{shown}_.\n"
            "Try `/hwerror AIS.0027`, `/hwerror ais 27`, an error message, or the whole error body.")
    return SlackMessage(text=clip(f"No Huawei Cloud error code found in: {shown}", FALLBACK_MAX),
                        blocks=[SectionBlock(text=mrkdwn(clip(text, SECTION_MAX))).to_dict()])


def notice(text: str) -> SlackMessage:
    """A one-line message; `text` must already be safe mrkdwn (escape what it quotes)."""
    return SlackMessage(text=text, blocks=[SectionBlock(text=mrkdwn(clip(text, SECTION_MAX))).to_dict()])


def shared_by(message: SlackMessage, who: str) -> SlackMessage:
    line = ContextBlock(elements=[mrkdwn(f"Shared by {escape(clip(who, 100))} with /hwerror")]).to_dict()
    return SlackMessage(text=message.text, blocks=[*message.blocks, line])


def note_modal(card: RemedyCard, metadata: dict[str, Any]) -> dict[str, Any]:
    intro = f"*{escape(card.code)}* {escape(clip(_first_line(card.message), 500))}\n" \
            "The note is shown on this card for everyone, with your name and the date."
    return View(
        type="modal",
        callback_id=NOTE_MODAL,
        title=plain("Team note", 24),
        submit=plain("Save", 24),
        close=plain("Cancel", 24),
        private_metadata=json.dumps(metadata, separators=(",", ":")),
        blocks=[
            SectionBlock(text=mrkdwn(clip(intro, SECTION_MAX))),
            InputBlock(
                block_id=NOTE_BLOCK,
                label=plain("What should the team know?", 2000),
                element=PlainTextInputElement(action_id=NOTE_INPUT, multiline=True, max_length=NOTE_MAX),
            ),
        ],
    ).to_dict()
