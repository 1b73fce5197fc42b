"""Block Kit for escalations: the card in the escalation channel and the reply in the thread.

Channel ids are rendered as <#C…> links on purpose; everything else a person or the knowledge base
wrote goes through `escape`.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.core.incidents.backends import TicketView
from bot.core.incidents.enums import EscalationAction
from bot.slack.blocks.ids import ActionId
from bot.slack.blocks.text import SECTION_MAX, SlackMessage, clip, escape, mrkdwn, plain, safe_url, when


def _channels(ids: tuple[str, ...] | list[str], limit: int = 10) -> str:
    shown = " ".join(f"<#{escape(c)}>" for c in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def ticket_link(view: TicketView, external_url: str | None, console_url: str | None) -> str:
    url = safe_url(external_url) or safe_url(console_url)
    label = view.ref
    if url and external_url:
        return f"{label} (<{url}|external ticket>)"
    if url:
        return f"{label} (<{url}|open a Huawei Cloud service ticket>)"
    return label


def escalation_message(
    view: TicketView,
    action: EscalationAction,
    *,
    external_url: str | None = None,
    console_url: str | None = None,
) -> SlackMessage:
    """The card in the escalation channel when a code is escalated (or comes back)."""
    verb = {
        EscalationAction.OPENED: "Escalated",
        EscalationAction.REOPENED: "Came back after its ticket was resolved",
    }.get(action, str(action))
    head = f"{verb}: {view.code} {view.message.splitlines()[0] if view.message else ''}"
    facts = (
        f"*Why:* {escape(view.reason)}\n"
        f"*Seen:* {view.incident_count} times in {len(view.channels)} channel(s): "
        f"{_channels(view.channels)}\n"
        f"*First seen:* {when(view.first_seen)}   *Last seen:* {when(view.last_seen)}\n"
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
                ButtonElement(
                    text="Resolve", action_id=ActionId.RESOLVE, value=str(view.ticket_id), style="primary"
                )
            ]
        )
    )
    text = f"{verb}: {view.code} ({view.ref}), {view.incident_count} incidents. {view.reason}"
    return SlackMessage(text=clip(escape(text), 3000), blocks=[b.to_dict() for b in blocks])


def thread_notice(view: TicketView, action: EscalationAction) -> SlackMessage:
    """The reply in the thread that tipped a code over."""
    what = "reopened" if action is EscalationAction.REOPENED else "opened"
    text = (
        f":rotating_light: *{escape(view.code)}* {escape(view.reason)}: ticket {view.ref} "
        f"{what}; the escalation channel has the details."
    )
    return SlackMessage(text=text, blocks=[SectionBlock(text=mrkdwn(text)).to_dict()])
