"""Build the Bolt app: the Web API client, the middleware, the listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from sqlalchemy import Engine

from bot.config import Settings
from bot.gaps import GapRecorder
from bot.listeners import register_listeners
from bot.middleware import CloseSession, Services, ServicesMiddleware
from bot.pipeline import Pipeline
from bot.slack_client import web_client
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


def create_app(settings: Settings, engine: Engine, *, catalogue: Catalogue | None = None) -> App:
    """The Slack app for one process. `settings` must carry the Slack credentials."""
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
    pipeline = Pipeline(catalogue.matcher, gaps=GapRecorder(sessions))
    services = Services(sessions=sessions, pipeline=pipeline, settings=settings)
    app.use(ServicesMiddleware(services))
    runner = app.listener_runner
    runner.listener_completion_handler = CloseSession(runner.listener_completion_handler)
    register_listeners(app)
    return app
