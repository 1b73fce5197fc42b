"""Small real HTTP servers that speak the ticket backends' APIs, and helpers to open tickets.

Each fake listens on 127.0.0.1:0 in a thread, keeps what it was sent, and can be told to fail
the next matching requests: answer a status (500, 429 with Retry-After, 401), hang past the
client's timeout without doing anything, or do the work and then hang ("the backend created it
but the response was lost").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from bot.core.incidents.enums import Source
from bot.core.incidents.models import Ticket
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Sighting, escalate_if_due, record_incidents
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from knowledge.matching.findings import Finding
from knowledge.store import get_entry

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Fault:
    # "status"; "echo" (a status whose body repeats the request's headers, as some proxies do);
    # "hang" (no effect, no answer in time); "lost" (the effect, then no answer in time)
    kind: str
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    method: str | None = None
    path: str | None = None  # a regular expression the path must match

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or bool(re.search(self.path, path))
        )


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class FakeService:
    """The HTTP plumbing and fault injection; subclasses implement `handle`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                return

            def _serve(self) -> None:
                service._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- faults ---------------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        times: int = 1,
        *,
        retry_after: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        with self.lock:
            self.faults += [
                Fault("status", status, retry_after, method=method, path=path) for _ in range(times)
            ]

    def echo(self, status: int, *, method: str | None = None, path: str | None = None) -> None:
        with self.lock:
            self.faults.append(Fault("echo", status, method=method, path=path))

    def hang(
        self, seconds: float, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        with self.lock:
            self.faults += [Fault("hang", seconds=seconds, method=method, path=path) for _ in range(times)]

    def lose_response(
        self, seconds: float, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        with self.lock:
            self.faults += [Fault("lost", seconds=seconds, method=method, path=path) for _ in range(times)]

    # -- serving --------------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        seen = Seen(
            h.command, parts.path, parse_qs(parts.query), dict(h.headers.items()), h.rfile.read(length)
        )
        with self.lock:
            self.requests.append(seen)
            fault = next((f for f in self.faults if f.matches(seen.method, seen.path)), None)
            if fault is not None:
                self.faults.remove(fault)
        if fault is not None and fault.kind == "hang":
            time.sleep(fault.seconds)
            answer: Answer = (503, {}, b"")
        elif fault is not None and fault.kind == "echo":
            answer = (
                fault.status,
                {},
                json.dumps({"message": f"refused request with {seen.headers}"}).encode(),
            )
        elif fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            answer = (fault.status, headers, json.dumps({"message": f"injected {fault.status}"}).encode())
        else:
            with self.lock:
                answer = self.handle(seen)
            if fault is not None and fault.kind == "lost":
                time.sleep(fault.seconds)
        status, headers, body = answer
        try:
            h.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting; that is the point of a hang

    def handle(self, seen: Seen) -> Answer:
        raise NotImplementedError


def _json(status: int, data: object) -> Answer:
    return status, {}, json.dumps(data).encode()


@contextmanager
def running(service: FakeService) -> Iterator[Any]:
    service.start()
    try:
        yield service
    finally:
        service.stop()


# -- the webhook receiver ------------------------------------------------------------------------


class WebhookReceiver(FakeService):
    """Verifies the documented signature (its own implementation of it) and dedupes on Idempotency-Key."""

    def __init__(self, secret: str, *, answer_ids: bool = True, tolerance: int = 300) -> None:
        super().__init__()
        self.secret = secret
        self.answer_ids = answer_ids
        self.tolerance = tolerance
        self.events: dict[str, dict[str, Any]] = {}  # idempotency key -> the event, once
        self.posts: Counter[str] = Counter()  # every correctly signed POST per key, duplicates too
        self.bad_signatures = 0
        self._answers: dict[str, Answer] = {}

    def handle(self, seen: Seen) -> Answer:
        headers = {k.lower(): v for k, v in seen.headers.items()}
        timestamp = headers.get("x-hwerror-timestamp", "")
        expected = (
            "v1="
            + hmac.new(
                self.secret.encode(), b"v1:" + timestamp.encode() + b":" + seen.body, hashlib.sha256
            ).hexdigest()
        )
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= self.tolerance
        if not fresh or not hmac.compare_digest(expected, headers.get("x-hwerror-signature", "")):
            self.bad_signatures += 1
            return _json(401, {"message": "bad signature"})
        key = headers.get("idempotency-key", "")
        if not key:
            return _json(400, {"message": "Idempotency-Key missing"})
        self.posts[key] += 1
        if key in self._answers:
            return self._answers[key]  # a retry: the first answer again, nothing done twice
        event = seen.json()
        self.events[key] = event
        body: dict[str, str] = {}
        if self.answer_ids and event["event"] == "ticket.created":
            n = sum(1 for e in self.events.values() if e["event"] == "ticket.created")
            body = {"id": f"WH-{n}", "url": f"{self.url}/tickets/WH-{n}"}
        self._answers[key] = _json(200, body)
        return self._answers[key]

    def created(self) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["event"] == "ticket.created"]


# -- Jira ----------------------------------------------------------------------------------------


@dataclass
class JiraIssue:
    id: str
    key: str
    fields: dict[str, Any]
    status: str = "Open"
    comments: list[str] = field(default_factory=list)


class JiraFake(FakeService):
    """Jira REST v2: issues, JQL search by label, comments, transitions; Basic or Bearer auth."""

    def __init__(self, *, token: str, email: str | None = None, cloud: bool | None = None) -> None:
        super().__init__()
        self.token = token
        self.email = email
        # Jira Cloud answers 410 on the old /search; Server and Data Center lack /search/jql.
        self.cloud = bool(email) if cloud is None else cloud
        self.issues: dict[str, JiraIssue] = {}
        self.unauthorized = 0

    def _authorized(self, seen: Seen) -> bool:
        auth = {k.lower(): v for k, v in seen.headers.items()}.get("authorization", "")
        if self.email:
            expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        else:
            expected = f"Bearer {self.token}"
        return hmac.compare_digest(auth, expected)

    def handle(self, seen: Seen) -> Answer:
        if not self._authorized(seen):
            self.unauthorized += 1
            return _json(401, {"errorMessages": ["You are not authenticated."]})
        path, method = seen.path, seen.method
        if path in ("/rest/api/2/search", "/rest/api/2/search/jql") and method == "GET":
            if (path == "/rest/api/2/search") == self.cloud:
                return _json(
                    410 if self.cloud else 404, {"errorMessages": ["The requested API has been removed."]}
                )
            return self._search(seen.query.get("jql", [""])[0])
        if path == "/rest/api/2/issue" and method == "POST":
            return self._create(seen.json()["fields"])
        m = re.fullmatch(r"/rest/api/2/issue/([A-Z][A-Z0-9]*-\d+)/(comment|transitions)", path)
        if m:
            issue = self.issues.get(m[1])
            if issue is None:
                return _json(404, {"errorMessages": ["Issue does not exist or you do not have permission."]})
            if m[2] == "comment" and method == "POST":
                issue.comments.append(seen.json()["body"])
                return _json(201, {"id": str(len(issue.comments)), "body": issue.comments[-1]})
            if m[2] == "comment":
                # Newest first, as orderBy=-created asks.
                return _json(
                    200,
                    {
                        "comments": [{"body": b} for b in reversed(issue.comments)],
                        "total": len(issue.comments),
                    },
                )
            if method == "GET":
                return _json(200, {"transitions": self._transitions(issue)})
            wanted = seen.json()["transition"]["id"]
            for t in self._transitions(issue):
                if t["id"] == wanted:
                    issue.status = t["to"]["name"]
                    return 204, {}, b""
            return _json(
                400,
                {"errorMessages": ["It seems that you have tried to perform an invalid workflow operation."]},
            )
        return _json(404, {"errorMessages": [f"no route {method} {path}"]})

    def _create(self, fields: dict[str, Any]) -> Answer:
        missing = [f for f in ("project", "summary", "issuetype") if not fields.get(f)]
        if missing or len(fields["summary"]) > 255:
            return _json(
                400,
                {
                    "errorMessages": [],
                    "errors": {f: "required" for f in missing}
                    or {"summary": "Summary must be less than 255 characters."},
                },
            )
        n = len(self.issues) + 1
        key = f"{fields['project']['key']}-{n}"
        self.issues[key] = JiraIssue(str(10000 + n), key, fields)
        return _json(
            201, {"id": str(10000 + n), "key": key, "self": f"{self.url}/rest/api/2/issue/{10000 + n}"}
        )

    def _search(self, jql: str) -> Answer:
        label = re.search(r'labels\s*=\s*"?([\w-]+)"?', jql)
        project = re.search(r'project\s*=\s*"?([\w-]+)"?', jql)
        found = [
            i
            for i in self.issues.values()
            if (not label or label[1] in i.fields.get("labels", []))
            and (not project or i.fields["project"]["key"] == project[1])
        ]
        return _json(200, {"issues": [{"id": i.id, "key": i.key} for i in found], "total": len(found)})

    @staticmethod
    def _transitions(issue: JiraIssue) -> list[dict[str, Any]]:
        if issue.status == "Done":
            return [{"id": "41", "name": "Reopen", "to": {"name": "Open"}}]
        return [{"id": "31", "name": "Done", "to": {"name": "Done"}}]


# -- Huawei Cloud OSM ----------------------------------------------------------------------------


class OsmFake(FakeService):
    """The OSM v2 service-ticket API as huaweicloudsdkosm calls it; checks the request is AK/SK signed."""

    def __init__(self, *, ak: str) -> None:
        super().__init__()
        self.ak = ak
        self.cases: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[str]] = {}

    def handle(self, seen: Seen) -> Answer:
        headers = {k.lower(): v for k, v in seen.headers.items()}
        auth = headers.get("authorization", "")
        if (
            not auth.startswith("SDK-HMAC-SHA256 ")
            or f"Access={self.ak}," not in auth
            or "x-sdk-date" not in headers
        ):
            return _json(
                401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information"}
            )
        path, method = seen.path, seen.method
        if path == "/v2/servicerequest/cases" and method == "POST":
            body = seen.json()
            if not body.get("business_type_id") or not body.get("simple_description"):
                return _json(400, {"error_code": "OSM.0001", "error_msg": "business_type_id is required"})
            case_id = f"CS{len(self.cases) + 1:010d}"
            self.cases[case_id] = {"incident_id": case_id, **body}
            return _json(200, {"incident_id": case_id})
        if path == "/v2/servicerequest/cases" and method == "GET":
            keys = ",".join(seen.query.get("search_key", [])).split(",")
            found = [c for c in self.cases.values() if any(k and k in c["simple_description"] for k in keys)]
            return _json(
                200,
                {
                    "total_count": len(found),
                    "incident_info_list": [
                        {"incident_id": c["incident_id"], "simple_description": c["simple_description"]}
                        for c in found
                    ],
                },
            )
        m = re.fullmatch(r"/v2/servicerequest/cases/(\w+)/(message|messages)", path)
        if m and m[1] in self.cases:
            if method == "POST":
                self.messages.setdefault(m[1], []).append(seen.json()["message"]["content"])
                return _json(200, {})
            contents = self.messages.get(m[1], [])
            return _json(200, {"count": len(contents), "message_list": [{"content": c} for c in contents]})
        return _json(404, {"error_code": "OSM.0404", "error_msg": f"no route {method} {path}"})


# -- opening tickets through the real recording code ---------------------------------------------

CHANNEL = "C0TICKET01"


def seed_knowledge(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)


def open_ticket(
    engine: Engine,
    backend: str,
    *,
    code: str = "AIS.0003",
    channel: str = CHANNEL,
    message_key: str = "1700000000.000100",
    request_id: str | None = "req-0001",
    now: datetime | None = None,
) -> int:
    """Record one incident of a bundled code and escalate it at once (the policy's count is 1)."""
    with transaction(engine) as session:
        entry = get_entry(session, "content-moderation", code)
        assert entry is not None, code
        data = entry.to_data()
        finding = Finding(
            code=code,
            service=data.service,
            entry=data,
            known=True,
            confident=True,
            score=1.0,
            candidates=(),
            how="code",
            request_id=request_id,
        )
        sighting = Sighting(
            workspace="T0TEAM",
            channel=channel,
            message_key=message_key,
            source=Source.PASTE,
            text=f'{{"error_code": "{code}", "request_id": "{request_id}"}}',
            user_id="U0USER",
        )
        incidents = record_incidents(session, sighting, [finding], now=now)
        escalation = escalate_if_due(
            session, incidents[0], EscalationPolicy(count=1), backend=backend, now=now
        )
        assert escalation is not None
        return escalation.ticket.id


def ticket_row(engine: Engine, ticket_id: int) -> Ticket:
    with transaction(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        session.expunge(ticket)
        return ticket
