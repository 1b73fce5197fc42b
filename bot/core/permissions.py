"""Who may do what: every check the application service makes of an `Actor`, in one place.

People from outside the installing workspace (Slack Connect) get the public card and may vote
and post it, nothing else (or nothing at all: `HWERROR_EXTERNAL=none`); saving notes, teaching
and setting a channel's service need `HWERROR_ADMINS`; resolving and escalating need
`HWERROR_RESPONDERS`. A refusal is a `NotAllowed`, answered by each front end in one place.
"""

from __future__ import annotations

from bot.core.actor import Actor
from bot.core.errors import NotAllowed

OUTSIDE = "hwerror answers only members of the workspace it is installed in."


def may_see(actor: Actor | None) -> None:
    if actor is not None and actor.sees_nothing:
        raise NotAllowed(OUTSIDE)


def may_teach(actor: Actor) -> None:
    if actor.external:
        raise NotAllowed(OUTSIDE)
    if not actor.may_add_notes:
        raise NotAllowed("Only the people listed in HWERROR_ADMINS can change the knowledge base.")


def may_set_channel(actor: Actor) -> None:
    if not actor.may_add_notes:
        raise NotAllowed("Only the people listed in HWERROR_ADMINS can set a channel's service.")


def may_write_notes(actor: Actor) -> None:
    if actor.external:
        raise NotAllowed(OUTSIDE)
    if not actor.may_add_notes:
        raise NotAllowed("Only the people listed in HWERROR_ADMINS can save team notes.")


def may_respond(actor: Actor, what: str) -> None:
    if actor.external:
        raise NotAllowed(OUTSIDE)
    if not actor.may_respond:
        raise NotAllowed(f"Only the people listed in HWERROR_RESPONDERS can {what} tickets.")


def team_reader(actor: Actor | None) -> str | None:
    """The workspace whose stats, digest and tickets this actor reads (None: all, the CLI)."""
    if actor is None:
        return None
    if actor.external:
        raise NotAllowed(OUTSIDE)
    return actor.workspace


def voter(actor: Actor) -> str:
    user = actor.user_id or ""
    if actor.team_id and actor.workspace and actor.team_id != actor.workspace:
        return f"{actor.team_id}:{user}"[:64]
    return user
