"""Who pressed, typed or posted, as every front end hands it to the core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A Slack user (or a shell user). `shown_as` overrides how the audit trail names them."""

    user_id: str | None
    team_id: str | None
    name: str
    admins: frozenset[str] = frozenset()
    shown_as: str | None = None

    @classmethod
    def shell(cls, user: str) -> Actor:
        """The person at the terminal: named "carol (shell)" in notes, escalations and tickets."""
        return cls(user_id=f"shell:{user}", team_id="shell", name=user, shown_as=f"{user} (shell)"[:100])

    @property
    def may_add_notes(self) -> bool:
        return not self.admins or self.user_id in self.admins

    @property
    def label(self) -> str:
        """How the audit trail and the cards name this person."""
        if self.shown_as:
            return self.shown_as
        if self.user_id and self.name and self.name != self.user_id:
            return f"{self.name} ({self.user_id})"[:100]
        return (self.user_id or self.name or "unknown")[:100]
