"""HTTP mode: a WSGI application (Slack at /slack/events, GET /healthz) served by gunicorn.

slack-bolt's request parser treats any form body that contains the letters "payload" as an
interactivity request (`payload=<json>`), so `/hwerror payload too large` would reach no
listener. `SlackFormRequest` parses bodies by their content type instead: a form is a form, and
only a form whose `payload` field exists is an interactivity payload.

Before Bolt sees a request, `RequestGate` refuses what Slack never sends, without reading more
than it must and without logging a body: bodies over `HWERROR_MAX_BODY_BYTES` (413, unread), a
timestamp that is not an integer or a bad signature (401), JSON that is not an object, an `event`
or `payload` that is not one (400), and a signed command or interaction seen before (acknowledged,
not acted on again). Each refusal is one log line: the kind of request, its size, the verdict.
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

from bot.config import Settings
from bot.slack.gate import RequestGate, refused, request_kind, well_formed

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
            parsed = json.loads(payload)
            if not isinstance(parsed, dict):
                raise ValueError("an interactivity payload is an object")
            return parsed
        return fields
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise ValueError("a JSON body is an object")
    return parsed


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
    def __init__(self, app: App, gate: RequestGate | None = None, path: str = SLACK_PATH) -> None:
        super().__init__(app, path=path)
        self.gate = gate

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        if self.gate is None:
            body = request.get_body()
        else:
            checked = self.gate.read(request.environ, request.get_headers())
            if isinstance(checked, BoltResponse):
                return checked
            body = checked
        content_type = str(request.environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        try:  # what Bolt would parse, checked before it does: it answers 500 to a list or a null
            parsed = parse_slack_body(body, content_type or None)
        except ValueError:  # not JSON, not a form: nothing Slack sends (and nothing signed)
            return refused(400, "unparsable body", len(body))
        if not well_formed(parsed):
            return refused(400, "malformed body", len(body))
        req = SlackFormRequest(body=body, query=request.query_string, headers=request.get_headers())
        if self.gate is not None and not self.gate.first_time(req):
            log.info("replayed %s (%d bytes) acknowledged, not acted on", request_kind(req.body), len(body))
            return BoltResponse(status=200, body="")
        return self.app.dispatch(req)


def wsgi_app(app: App, engine: Engine, settings: Settings | None = None) -> Callable[..., Iterable[bytes]]:
    """`settings`: the process's (signing secret, body limit); read from the environment if None."""
    process = settings or Settings()
    secret = process.slack_signing_secret
    gate = RequestGate(
        secret.get_secret_value() if secret else None, engine, max_body=process.hwerror_max_body_bytes
    )
    slack = SlackHandler(app, gate)

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
