"""`hwerror serve`: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on $PORT under gunicorn."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import console, engine_for_cli, err_console, process_settings, settings_or_fail

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.build import AppSettings
    from bot.slack.boot import TokenRefused

HTTP_HELP = "HTTP mode even when SLACK_APP_TOKEN is set (the Procfile's web process)."
SOCKET_HELP = "Socket Mode; fails without SLACK_APP_TOKEN (the Procfile's worker process)."


def _explain_missing(settings: Settings, missing: list[str], *, socket: bool = False) -> None:
    from bot.config import MANIFEST_HINT

    mode = "Socket Mode" if settings.socket_mode or socket else "HTTP mode (SLACK_APP_TOKEN is not set)"
    names = " and ".join(missing)
    verb = "is" if len(missing) == 1 else "are"
    err_console.print(
        f"[bold red]error:[/bold red] cannot connect to Slack in {mode}: {names} {verb} not set.",
        highlight=False,
    )
    err_console.print(f"To get them, {MANIFEST_HINT}.", highlight=False)
    err_console.print(
        "HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; Socket Mode needs "
        "SLACK_BOT_TOKEN and SLACK_APP_TOKEN.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        http: Annotated[bool, typer.Option("--http", help=HTTP_HELP)] = False,
        socket_mode: Annotated[bool, typer.Option("--socket-mode", help=SOCKET_HELP)] = False,
    ) -> None:
        """Run the Slack app.

        Socket Mode when SLACK_APP_TOKEN is set, else HTTP on $PORT (default 3000). Without Slack
        credentials, in a terminal, it starts the shell instead.
        """
        if http and socket_mode:
            err_console.print("[bold red]error:[/bold red] choose --http or --socket-mode, not both")
            raise typer.Exit(2)
        from bot.core.build import AppSettings
        from bot.core.digest.config import DigestSettings
        from bot.core.incidents.config import EscalationSettings, TicketSettings

        settings = process_settings()  # a bad PORT or HWERROR_BIND ends it here, named
        if http:
            settings = settings.model_copy(update={"slack_app_token": None})
        elif socket_mode and not settings.socket_mode:
            _explain_missing(settings, ["SLACK_APP_TOKEN"], socket=True)
            raise typer.Exit(2)
        missing = settings.missing_slack()
        if missing:
            _explain_missing(settings, missing)
            if sys.stdin.isatty() and sys.stdout.isatty():
                from bot.cli.shell import run_shell

                console.print("Starting the shell adapter instead (the same bot, in this terminal).")
                run_shell()
                return
            raise typer.Exit(2)
        from bot.logs import configure

        configure(logging.INFO)
        with engine_for_cli():  # fail now, clearly, if the database is unusable or not migrated
            pass
        # Bad escalation, ticket or digest settings stop start-up here, naming the variable.
        everything = AppSettings(
            process=settings,
            escalation=settings_or_fail(EscalationSettings),
            tickets=settings_or_fail(TicketSettings),
            digest=settings_or_fail(DigestSettings),
        )
        if settings.socket_mode:
            _socket_mode(everything)
        else:
            _http(everything)


def _refused(exc: TokenRefused) -> typer.Exit:
    print(exc.line(), file=sys.stderr)  # one line, unwrapped whatever the terminal's width
    return typer.Exit(2)


def _socket_mode(settings: AppSettings) -> None:
    from bot.metrics import pending_by_kind, register_outbox_stats
    from bot.slack.app import create_app
    from bot.slack.boot import TokenRefused, wait_for_auth
    from bot.slack.client import web_client
    from bot.slack.socket_mode import SocketModeHandler, socket_settings
    from knowledge.db import make_engine

    try:
        identity = wait_for_auth(web_client(settings.process))
    except TokenRefused as exc:
        raise _refused(exc) from None
    engine = make_engine(settings.process.database_url)
    app = create_app(settings, engine, identity=identity)
    register_outbox_stats(pending_by_kind(engine))
    token = settings.process.slack_app_token
    assert token is not None
    console.print("hwerror: connecting to Slack in Socket Mode", soft_wrap=True)
    SocketModeHandler(app, token.get_secret_value(), **socket_settings()).start()


def _http(settings: AppSettings) -> None:
    from bot.slack.boot import TokenRefused
    from bot.slack.gunicorn_server import serve_http

    process = settings.process
    shared: dict[str, Any] = {}
    preload = os.environ.get("HWERROR_PRELOAD", "1").strip().lower() not in ("0", "false", "no")

    def prepare() -> None:
        # In the master, before the fork: the token once, and the index the workers share.
        from bot.core import redaction
        from bot.slack.boot import wait_for_auth
        from bot.slack.client import web_client
        from knowledge.catalogue import Catalogue
        from knowledge.db import make_engine

        shared["identity"] = wait_for_auth(web_client(process))
        if preload:
            engine = make_engine(process.database_url)
            catalogue = Catalogue(engine)
            catalogue.matcher()
            redaction.prepare()
            engine.dispose()  # no connection may cross the fork
            shared["catalogue"] = catalogue

    def factory():  # type: ignore[no-untyped-def]
        # In each worker process, after the fork: engines and threads are not shared across forks.
        from bot.metrics import pending_by_kind, register_outbox_stats
        from bot.slack.app import create_app
        from bot.slack.server import wsgi_app
        from knowledge.db import make_engine

        engine = make_engine(process.database_url)
        catalogue = shared["catalogue"].with_engine(engine) if "catalogue" in shared else None
        register_outbox_stats(pending_by_kind(engine))
        app = create_app(settings, engine, catalogue=catalogue, identity=shared["identity"])
        return wsgi_app(app, engine)

    console.print(
        f"hwerror: HTTP mode on {process.bind} (unless GUNICORN_CMD_ARGS binds elsewhere): "
        "Slack at /slack/events, health at /healthz, metrics at /metrics",
        soft_wrap=True,  # one line in the log, whatever the terminal's width
    )
    try:
        serve_http(
            factory,
            bind=process.bind,
            workers=process.web_concurrency,
            threads=process.web_threads,
            prepare=prepare,
        )
    except TokenRefused as exc:
        raise _refused(exc) from None
