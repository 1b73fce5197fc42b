"""HTTP mode: a WSGI application (Slack at /slack/events, GET /healthz) served by gunicorn.

slack-bolt's request parser treats any form body that contains the letters "payload" as an
interactivity request (`payload=<json>`), so `/hwerror payload too large` would reach no
listener. `SlackFormRequest` parses bodies by their content type instead: a form is a form, and
only a form whose `payload` field exists is an interactivity payload.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse
from sqlalchemy import Engine, text

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
FORM = "application/x-www-form-urlencoded"

log = logging.getLogger("hwerror.server")


def parse_slack_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """A Slack request body as Slack meant it: JSON, a form, or a form carrying `payload`."""
    if not raw:
        return {}
    if content_type == FORM:
        fields = dict(parse_qsl(raw, keep_blank_values=True))
        payload = fields.get("payload")
        if payload is not None and "command" not in fields:
            parsed: dict[str, Any] = json.loads(payload)
            return parsed
        return fields
    parsed = json.loads(raw)
    return parsed if isinstance(parsed, dict) else {}


class SlackFormRequest(BoltRequest):
    """A BoltRequest whose body is parsed by `parse_slack_body` (copies too: lazy listeners)."""

    def __init__(
        self,
        *,
        body: str | dict[str, Any],
        query: Any = None,
        headers: Any = None,
        context: dict[str, Any] | None = None,
        mode: str = "http",
    ) -> None:
        super().__init__(body=body, query=query, headers=headers, context=context, mode=mode)
        # Only these bodies are misread by slack-bolt; every other form it parses as we would.
        misread = isinstance(body, str) and ("payload" in body or body.startswith("{"))
        if misread and self.content_type == FORM:
            fixed = parse_slack_body(self.raw_body, self.content_type)
            if fixed != self.body:
                self.body = fixed
                self.context = build_context(type(self.context)(context or {}), self.body)

    def to_copyable(self) -> BoltRequest:
        body: str | dict[str, Any] = self.raw_body if self.mode == "http" else self.body
        return SlackFormRequest(
            body=body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
            mode=self.mode,
        )


class SlackHandler(SlackRequestHandler):
    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        try:
            req = SlackFormRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except ValueError:  # not JSON, not a form: nothing Slack sends (and nothing signed)
            return BoltResponse(status=400, body="")
        return self.app.dispatch(req)


def wsgi_app(app: App, engine: Engine) -> Callable[..., Iterable[bytes]]:
    slack = SlackHandler(app, path=SLACK_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _health(engine, start_response)
        return slack(environ, start_response)

    return application


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        body: dict[str, object] = {"ok": True}
        status = "200 OK"
    except Exception as exc:  # noqa: BLE001 - any database failure makes the process unhealthy
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        status, body = "503 Service Unavailable", {"ok": False, "database": "unavailable"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def serve_http(
    factory: Callable[[], Callable[..., Iterable[bytes]]], *, bind: str, workers: int, threads: int
) -> None:
    """Run the WSGI app under gunicorn (threaded workers); `factory` runs in each worker process.

    `bind` is HWERROR_BIND (or 0.0.0.0:$PORT). GUNICORN_CMD_ARGS is read the way the `gunicorn`
    command reads it, so what an operator is used to giving gunicorn keeps working here: its
    options (and a --config file it names) override ours, --bind included. gunicorn's
    BaseApplication reads nothing from the environment by itself, and its Application would
    parse our own command line (`hwerror serve --http`) as gunicorn's; so this is Application's
    precedence (app settings < config file < GUNICORN_CMD_ARGS) without the command line (and
    without its --chdir and implicit ./gunicorn.conf.py: a stray file must not move the server).
    """
    from gunicorn.app.base import Application

    class Server(Application):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": [bind],
                "workers": max(1, workers),
                "threads": max(1, threads),
                "worker_class": "gthread",
                "timeout": 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "hwerror",
                "control_socket_disable": True,  # several servers on one machine (tests, bench)
            }
            for key, value in options.items():
                self.cfg.set(key, value)
            env_args = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
            if env_args.config:
                self.load_config_from_file(env_args.config)
            for key, value in vars(env_args).items():
                if value is not None and key != "args":
                    self.cfg.set(key.lower(), value)

        def load(self) -> Callable[..., Iterable[bytes]]:
            return factory()

    Server().run()
