"""Build the Bolt app: the Web API client, the middleware, the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from sqlalchemy import Engine

from bot.config import Settings
from bot.core.gaps import GapRecorder
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.desk import IncidentDesk
from bot.core.incidents.seen import SeenCounts
from bot.core.pipeline import Pipeline
from bot.slack.client import web_client
from bot.slack.listeners import register_listeners
from bot.slack.middleware import CloseSession, Services, ServicesMiddleware
from knowledge.catalogue import Catalogue
from knowledge.db import session_factory


class _TokenFromClient(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it is the same one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _logger() -> logging.Logger:
    logger = logging.getLogger("hwerror.slack")
    if not any(isinstance(f, _TokenFromClient) for f in logger.filters):
        logger.addFilter(_TokenFromClient())
    return logger


def create_app(settings: Settings, engine: Engine, *, catalogue: Catalogue | None = None,
               escalation: EscalationSettings | None = None, tickets: TicketSettings | None = None) -> App:
    """The Slack app for one process. `settings` must carry the Slack credentials; escalation and
    ticket settings are read from the environment when not given (a bad value raises
    pydantic's ValidationError, which `hwerror serve` turns into a message naming the variable)."""
    socket_mode = settings.socket_mode
    secret = settings.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret else None
    app = App(
        name="hwerror",
        client=web_client(settings),
        signing_secret=signing_secret,
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=not socket_mode,
        # Listeners run on this pool while the HTTP thread waits for ack(); size it for the load.
        listener_executor=ThreadPoolExecutor(max_workers=settings.web_threads,
                                             thread_name_prefix="hwerror-listener"),
        logger=_logger(),
    )
    catalogue = catalogue or Catalogue(engine)
    catalogue.matcher()  # build the index now, not during someone's first command
    sessions = session_factory(engine)
    seen = SeenCounts(sessions)
    desk = IncidentDesk(escalation or EscalationSettings(), tickets or TicketSettings(), seen)
    pipeline = Pipeline(catalogue.matcher, gaps=GapRecorder(sessions), seen=seen)
    services = Services(sessions=sessions, pipeline=pipeline, settings=settings, desk=desk)
    app.use(ServicesMiddleware(services))
    runner = app.listener_runner
    runner.listener_completion_handler = CloseSession(runner.listener_completion_handler)
    register_listeners(app)
    return app
