"""Build the Bolt app: the Web API client, the middleware, the listeners, the error handler."""

from __future__ import annotations

import atexit
import logging

from slack_bolt import App
from slack_bolt.middleware.authorization import SingleTeamAuthorization
from slack_sdk.web import SlackResponse
from sqlalchemy import Engine

from bot.core import redaction
from bot.core.build import AppSettings, build_service
from bot.slack.client import sender_client, web_client
from bot.slack.errors import answer_error
from bot.slack.listeners import register_listeners
from bot.slack.listeners.events.unhandled import AppRateLimited
from bot.slack.middleware import CloseSession, ServiceMiddleware
from bot.slack.runtime.intake import KeepMessages
from bot.slack.runtime.owe import Owed
from bot.slack.runtime.runner import KindOfRequest, Runtime, SeparateCapacity
from knowledge.catalogue import Catalogue


class _TokenFromClient(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it is the same one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _logger() -> logging.Logger:
    logger = logging.getLogger("hwerror.slack")
    if not any(isinstance(f, _TokenFromClient) for f in logger.filters):
        logger.addFilter(_TokenFromClient())
    return logger


def _use_identity(app: App, identity: SlackResponse) -> None:
    # Bolt's single-workspace authorization takes the start-up auth.test answer only from its own
    # call (which we switched off); it would otherwise call auth.test on the first request.
    for middleware in app._middleware_list:  # noqa: SLF001 - no public way to hand it the answer
        if isinstance(middleware, SingleTeamAuthorization):
            middleware.auth_test_result = identity


def create_app(
    settings: AppSettings,
    engine: Engine,
    *,
    catalogue: Catalogue | None = None,
    identity: SlackResponse | None = None,
) -> App:
    """The Slack app for one process. `settings.process` must carry the Slack credentials.

    `identity`: the `auth.test` answer the server got at start (bot.slack.boot.wait_for_auth), so
    Bolt neither calls it again in each worker nor dies of it there; None: Bolt calls it now."""
    process = settings.process
    secret = process.slack_signing_secret
    app = App(
        name="hwerror",
        client=web_client(process),
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=not process.socket_mode,
        # Commands, interactions and events each run on a pool of their own (HWERROR_*_THREADS).
        listener_executor=SeparateCapacity(process),
        logger=_logger(),
        token_verification_enabled=identity is None,
    )
    if identity is not None:
        _use_identity(app, identity)
    catalogue = catalogue or Catalogue(engine)
    catalogue.matcher()  # build the index now, not during someone's first command
    redaction.prepare()
    service = build_service(engine, settings, catalogue=catalogue)
    runtime = Runtime(engine, service, settings, app.client, sender_client(process))
    owed = Owed(service.sessions, app.client, runtime.sender.wake)
    app.use(KindOfRequest())
    app.use(AppRateLimited())
    app.use(KeepMessages(service, settings, runtime.answers.wake))
    app.use(ServiceMiddleware(service, settings, owed, runtime.outgoing))
    app.error(answer_error)
    runner = app.listener_runner
    runner.listener_completion_handler = CloseSession(runner.listener_completion_handler)
    register_listeners(app)
    runtime.start()
    atexit.register(runtime.stop)
    return app
