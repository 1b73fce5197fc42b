"""Bolt middleware: every listener gets a database session, the acting user and the pipeline.

Listeners name what they need (`session`, `actor`, `pipeline`, `settings`, `desk`) as arguments; Bolt
injects context values by name. The session is opened lazily by SQLAlchemy (no connection until
the first query) and closed by `CloseSession` when the listener has finished, whatever happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.middleware import Middleware
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.core.incidents.desk import IncidentDesk
from bot.core.pipeline import Pipeline


@dataclass(frozen=True)
class Actor:
    """Who pressed, typed or posted: a Slack user (or a shell user)."""

    user_id: str | None
    team_id: str | None
    name: str
    admins: frozenset[str] = frozenset()

    @property
    def may_add_notes(self) -> bool:
        return not self.admins or self.user_id in self.admins

    @property
    def label(self) -> str:
        """How the audit trail and the cards name this person."""
        if self.user_id and self.name and self.name != self.user_id:
            return f"{self.name} ({self.user_id})"[:100]
        return (self.user_id or self.name or "unknown")[:100]


@dataclass(frozen=True)
class Services:
    sessions: sessionmaker[Session]
    pipeline: Pipeline
    settings: Settings
    desk: IncidentDesk


def actor_from(body: dict[str, Any], context: BoltContext, admins: frozenset[str]) -> Actor:
    user = body.get("user")
    name = ""
    if isinstance(user, dict):
        name = user.get("username") or user.get("name") or ""
    name = name or body.get("user_name") or ""
    user_id = context.user_id or (user.get("id") if isinstance(user, dict) else None)
    return Actor(user_id=user_id, team_id=context.team_id, name=name or (user_id or ""), admins=admins)


class ServicesMiddleware(Middleware):
    """A Middleware subclass rather than a function: Bolt calls it without building keyword
    arguments for it, which is most of what a function middleware costs per request."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        context, services = req.context, self.services
        context["session"] = services.sessions()
        context["actor"] = actor_from(req.body, context, services.settings.admins)
        context["pipeline"] = services.pipeline
        context["settings"] = services.settings
        context["desk"] = services.desk
        return next()


class CloseSession(ListenerCompletionHandler):
    """Runs after every listener (Bolt calls it in a `finally`): the session never outlives it."""

    def __init__(self, inner: ListenerCompletionHandler) -> None:
        self.inner = inner

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        session = request.context.get("session")
        if isinstance(session, Session):
            session.close()
        self.inner.handle(request, response)
