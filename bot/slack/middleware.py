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

from bot.config import Settings
from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.outgoing import Outgoing
from bot.core.service import BotService
from bot.slack.runtime.owe import Owed, OwedRespond


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def shared_channel(body: dict[str, Any]) -> bool:
    """The request comes from a channel shared with another organisation (Slack Connect)."""
    return body.get("is_ext_shared_channel") in (True, "true")


def actor_from(body: dict[str, Any], context: BoltContext, process: Settings) -> Actor:
    """Who acted, in which workspace, and whether they are from outside it.

    The installing workspace is what `auth.test` answered at start (Bolt's authorize result). The
    person's own workspace is the most specific team id the payload carries: `user.team_id`
    (interactions), `user_team` (Slack Connect events and commands), then the request's team id.
    Anyone whose workspace is not the installing one is external, unless the app is installed
    for their whole Enterprise Grid organisation."""
    user = _dict(body.get("user"))
    event = _dict(body.get("event"))
    name = _text(user.get("username")) or _text(user.get("name")) or _text(body.get("user_name")) or ""
    user_id = context.user_id or _text(user.get("id"))
    authorized = context.authorize_result
    installed = (authorized.team_id if authorized else None) or context.team_id
    installed_org = authorized.enterprise_id if authorized else None
    request_team = context.team_id or _text(body.get("team_id")) or _text(_dict(body.get("team")).get("id"))
    own_team = (
        _text(user.get("team_id"))
        or _text(body.get("user_team"))
        or _text(event.get("user_team"))
        or request_team
    )
    org = (
        context.enterprise_id
        or _text(body.get("enterprise_id"))
        or _text(_dict(body.get("enterprise")).get("id"))
    )
    same_org = bool(installed_org) and org == installed_org and bool(context.is_enterprise_install)
    external = not same_org and (own_team != installed or request_team != installed)
    return Actor(
        user_id=user_id,
        team_id=own_team,
        name=name or (user_id or ""),
        admins=process.admins,
        responders=process.responders,
        workspace=installed,
        external=external,
        external_access=process.hwerror_external,
    )


class ServiceMiddleware(Middleware):
    """A Middleware subclass rather than a function: Bolt calls it without building keyword
    arguments for it, which is most of what a function middleware costs per request."""

    def __init__(self, service: BotService, settings: AppSettings, owed: Owed, outgoing: Outgoing) -> None:
        self.service = service
        self.settings = settings
        self.owed = owed
        self.outgoing = outgoing

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        context = req.context
        context["session"] = self.service.sessions()
        context["actor"] = actor_from(req.body, context, self.settings.process)
        context["shared_channel"] = shared_channel(req.body)
        context["service"] = self.service
        context["settings"] = self.settings
        context["owed"] = self.owed
        context["outgoing"] = self.outgoing
        if context.response_url:
            # Follow-ups go through the outbox: paced, retried, once (bot.slack.runtime.owe).
            context["respond"] = OwedRespond(context.response_url, self.owed)
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
