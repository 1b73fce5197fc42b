"""No pasted credential survives anywhere: the corpus of tests/data/secret_pastes.json through the
real bot (a `hwerror serve` over HTTP, the shell, the ticket outbox to a webhook receiver), then
every text column of every table, the server's log, what the fake Slack was sent, what the
webhook received and `hwerror incidents list` are searched for every secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, String, Text, select
from sqlalchemy.types import JSON

from bot.core.incidents.models import Incident, OutboxItem
from bot.core.redaction import redact
from knowledge.models import Base
from testing.cli import run_cli
from testing.slack.requests import JSON as JSON_TYPE
from testing.slack.requests import (
    AppProcess,
    event_body,
    form_body,
    message,
    new_ts,
    sign,
    slash_fields,
    uniq,
)
from testing.slack.server import FakeSlack
from testing.tickets import WebhookReceiver

CORPUS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "secret_pastes.json").read_text())
SECRETS = sorted({s for paste in CORPUS for s in paste["secrets"]})
WEBHOOK_SECRET = "whsec-corpus-0123456789"


def leaks(haystack: str) -> list[str]:
    return [s[:24] + "…" for s in SECRETS if s in haystack]


def test_the_corpus_covers_every_format_and_redaction_removes_every_secret() -> None:
    assert len(CORPUS) >= 50
    kinds = {p["kind"] for p in CORPUS}
    for needed in (
        "OBS v2 Authorization",
        "DSN with @ in the password",
        "JSON password with a space",
        "curl -u",
        "PEM RSA PRIVATE KEY",
        "PEM OPENSSH PRIVATE KEY",
        "PKCS8 inside JSON",
        "bare Slack token",
        "bare JWT",
        "Bearer JWT",
        "Cookie header",
        "secret in an unknown code's message",
        "AK in request_id",
        "env AK/SK",
        "SDK-HMAC-SHA256",
        "OBS pre-signed URL",
        "x-security-token",
    ):
        assert needed in kinds
    for paste in CORPUS:
        assert leaks(redact(paste["text"])) == [], paste["kind"]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    fake = WebhookReceiver(WEBHOOK_SECRET)
    fake.start()
    yield fake
    fake.stop()


def _dump_every_table(engine: Engine) -> str:
    """Every text (and JSON) column of every table the application knows."""
    out = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if columns:
                for row in conn.execute(select(*columns)):
                    out.append(json.dumps([v for v in row], default=str))
    return "\n".join(out)


def _wait_for_reply(slack: FakeSlack, channel: str, ts: str, timeout: float = 4.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if slack.find(
            "chat.postMessage", lambda c: c.body.get("channel") == channel and c.body.get("thread_ts") == ts
        ):
            return
        time.sleep(0.05)


def test_no_secret_of_the_corpus_reaches_a_table_a_log_slack_a_webhook_or_the_cli(
    db_url: str, kb: Engine, tmp_path: Path, receiver: WebhookReceiver
) -> None:
    webhook_env = {
        "HWERROR_TICKET_BACKEND": "webhook",
        "HWERROR_WEBHOOK_URL": receiver.url + "/hooks/tickets",
        "HWERROR_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    with FakeSlack() as slack:
        app = AppProcess(
            db_url=db_url,
            slack=slack,
            cwd=tmp_path,
            env={"HWERROR_ESCALATE_COUNT": "1", "HWERROR_ESCALATION_CHANNEL": "C0ESCALATE", **webhook_env},
        )
        app.start()
        try:
            for n, paste in enumerate(CORPUS):
                channel = f"C0CORPUS{n % 3}"
                ts = new_ts()
                app.event(message(channel, paste["text"], ts=ts), event_id=uniq("Ev"))
                _wait_for_reply(slack, channel, ts)
                app.command(paste["text"][:3000], channel=channel)
                # A replay six minutes late (refused) and an unsigned copy: neither may be logged.
                late = event_body(message(channel, paste["text"]), event_id=uniq("Ev"))
                headers = {"Content-Type": JSON_TYPE, **sign(late, timestamp=int(time.time()) - 360)}
                assert app.post(late, content_type=JSON_TYPE, headers=headers, signed=False).status == 401
                unsigned = form_body(slash_fields(paste["text"][:3000]))
                assert (
                    app.post(unsigned, content_type="application/x-www-form-urlencoded", signed=False).status
                    == 401
                )
        finally:
            app.stop()
        log = app.output()
        slack_calls = "\n".join(json.dumps(c.body, default=str) for c in slack.calls)
    shell = run_cli("chat", db_url=db_url, stdin="\n\n".join(p["text"] for p in CORPUS) + "\n\n/quit\n")
    outbox = run_cli("outbox", "--once", db_url=db_url, extra_env=webhook_env)
    listed = run_cli("incidents", "list", "--limit", "10000", db_url=db_url)
    assert shell.returncode == 0 and outbox.returncode == 0 and listed.returncode == 0, (
        shell.stderr,
        outbox.stderr,
    )

    with kb.connect() as conn:
        incidents = conn.execute(select(Incident.id)).all()
        outbox_rows = conn.execute(select(OutboxItem.id)).all()
    assert len(incidents) >= 2 * len(CORPUS) // 2, (
        "the corpus was not recorded: the search below would prove nothing"
    )
    assert outbox_rows and receiver.requests, "no ticket reached the webhook"
    sent = "\n".join(r.body.decode() for r in receiver.requests)
    places = {
        "database": _dump_every_table(kb),
        "server log": log,
        "fake Slack": slack_calls,
        "webhook": sent,
        "shell": shell.stdout + shell.stderr,
        "incidents list": listed.stdout,
    }
    assert {where: leaks(text) for where, text in places.items() if leaks(text)} == {}
    assert "[REDACTED]" in places["database"] and "[REDACTED]" in places["fake Slack"]
