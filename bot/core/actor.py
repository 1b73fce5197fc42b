"""Who pressed, typed or posted, as every front end hands it to the core, and what they may do.

The front end only says who the person is: their user id, the workspace the request belongs to
(the installing workspace, whose data they may see), their own workspace, and whether they come
from outside it (Slack Connect, another organisation). `BotService` decides what that allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ExternalAccess(StrEnum):
    """What people from outside the installing workspace get (`HWERROR_EXTERNAL`)."""

    CARD = "card"  # the public remedy card: no team notes, counts or tickets; Post and votes only
    NONE = "none"  # nothing at all


@dataclass(frozen=True)
class People:
    """A list of people as (workspace, user) pairs, from `T123:U456` or a bare `U456`, which means
    that user of the installing workspace (never a same-named user of another workspace)."""

    pairs: frozenset[tuple[str | None, str]] = frozenset()

    @classmethod
    def parse(cls, text: str) -> People:
        pairs = set()
        for part in text.replace(",", " ").split():
            team, _, user = part.rpartition(":")
            pairs.add((team or None, user))
        return cls(frozenset(pairs))

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __contains__(self, who: object) -> bool:
        if not isinstance(who, Actor) or not who.user_id or who.external:
            return False
        return (who.team_id, who.user_id) in self.pairs or (
            (None, who.user_id) in self.pairs and who.team_id == who.workspace
        )


@dataclass(frozen=True)
class Actor:
    """A Slack user (or a shell user). `shown_as` overrides how the audit trail names them.

    `team_id` is the person's own workspace; `workspace` the one whose data the request may read
    and write (None: every workspace, the operator at the command line); `external` is True for
    anyone who is not a member of that workspace."""

    user_id: str | None
    team_id: str | None
    name: str
    admins: People = People()
    shown_as: str | None = None
    workspace: str | None = None
    external: bool = False
    external_access: ExternalAccess = ExternalAccess.CARD
    responders: People = People()

    @classmethod
    def shell(cls, user: str) -> Actor:
        """The person at the terminal: named "carol (shell)" in notes, escalations and tickets."""
        return cls(
            user_id=f"shell:{user}",
            team_id="shell",
            name=user,
            shown_as=f"{user} (shell)"[:100],
            workspace="shell",
        )

    @property
    def sees_nothing(self) -> bool:
        return self.external and self.external_access is ExternalAccess.NONE

    @property
    def may_add_notes(self) -> bool:
        return not self.external and (not self.admins or self in self.admins)

    @property
    def may_respond(self) -> bool:
        """Resolve and escalate: everyone of the workspace, or only the responders (and admins)."""
        if self.external:
            return False
        return not self.responders or self in self.responders or (bool(self.admins) and self in self.admins)

    @property
    def label(self) -> str:
        """How the audit trail and the cards name this person."""
        if self.shown_as:
            return self.shown_as
        if self.user_id and self.name and self.name != self.user_id:
            return f"{self.name} ({self.user_id})"[:100]
        return (self.user_id or self.name or "unknown")[:100]
