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
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse
from sqlalchemy import Engine

from bot.config import Settings
from bot.metrics import CONTENT_TYPE, exposition, outcome_of
from bot.slack import observe
from bot.slack.gate import RequestGate, refused, request_kind, well_formed
from bot.slack.health import HealthCheck

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
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
        """Bolt's answer, with one log line and the request metrics (kind, channel, outcome, time)."""
        started = time.perf_counter()
        parsed: dict[str, Any] = {}
        response = self._dispatch(request, parsed)
        observe.record(
            parsed, outcome_of(response.status), time.perf_counter() - started, status=response.status
        )
        return response

    def _dispatch(self, request: WsgiHttpRequest, parsed_out: dict[str, Any]) -> BoltResponse:
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
        parsed_out.update(parsed)
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
    health = HealthCheck(engine)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            ok, body = health.check()
            return _answer(start_response, "200 OK" if ok else "503 Service Unavailable", body)
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            data = exposition()
            start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(data)))])
            return [data]
        return slack(environ, start_response)

    return application


def _answer(start_response: StartResponse, status: str, body: dict[str, object]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
