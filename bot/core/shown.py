"""How a reply is cut and shown: to the codes a caller won, and as people from outside see it."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actor import Actor
from bot.core.cards import Card, RemedyCard, UnknownCard
from bot.core.pipeline import Reply


def only(reply: Reply, codes: set[str]) -> Reply:
    """The reply cut to the codes this caller won (the others were answered already)."""
    if all(f.code in codes for f in reply.findings):
        return reply
    return replace(
        reply,
        cards=tuple(c for c in reply.cards if c.code in codes),
        more=tuple(c for c in reply.more if c in codes),
        gaps=tuple(c for c in reply.gaps if c in codes),
        findings=tuple(f for f in reply.findings if f.code in codes),
    )


def as_public(reply: Reply) -> Reply:
    cards: tuple[Card, ...] = tuple(
        c.as_public() if isinstance(c, RemedyCard | UnknownCard) else c for c in reply.cards
    )
    return replace(reply, cards=cards)


def shown_to(actor: Actor | None, reply: Reply) -> Reply:
    return as_public(reply) if actor is not None and actor.external else reply
