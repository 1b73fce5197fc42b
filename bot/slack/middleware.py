"""Bolt middleware: every listener gets a database session, the acting user and the service.

Listeners name what they need (`session`, `actor`, `service`, `settings`) as arguments; Bolt
injects context values by name. The session is opened lazily by SQLAlchemy (no connection until
the first query) and closed by `CloseSession` when the listener has finished, whatever happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.middleware import Middleware
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.service import BotService


def actor_from(body: dict[str, Any], context: BoltContext, admins: frozenset[str]) -> Actor:
    user = body.get("user")
    name = ""
    if isinstance(user, dict):
        name = user.get("username") or user.get("name") or ""
    name = name or body.get("user_name") or ""
    user_id = context.user_id or (user.get("id") if isinstance(user, dict) else None)
    return Actor(user_id=user_id, team_id=context.team_id, name=name or (user_id or ""), admins=admins)


class ServiceMiddleware(Middleware):
    """A Middleware subclass rather than a function: Bolt calls it without building keyword
    arguments for it, which is most of what a function middleware costs per request."""

    def __init__(self, service: BotService, settings: AppSettings) -> None:
        self.service = service
        self.settings = settings

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        context = req.context
        context["session"] = self.service.sessions()
        context["actor"] = actor_from(req.body, context, self.settings.process.admins)
        context["service"] = self.service
        context["settings"] = self.settings
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
