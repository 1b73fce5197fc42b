"""`hwerror worker` as a real process against a real (local) webhook receiver."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from testing.cli import HWERROR, run_cli
from testing.tickets import WebhookReceiver, open_ticket, running

SECRET = "whsec-cli-0001"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running(WebhookReceiver(SECRET)) as fake:
        yield fake


def webhook_env(receiver: WebhookReceiver, **extra: str) -> dict[str, str]:
    return {
        "HWERROR_TICKET_BACKEND": "webhook",
        "HWERROR_WEBHOOK_URL": receiver.url,
        "HWERROR_WEBHOOK_SECRET": SECRET,
        "HWERROR_TICKET_HTTP_TIMEOUT": "2",
        **extra,
    }


def test_worker_once_makes_the_due_calls_and_prints_a_summary(
    db_url: str, kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    result = run_cli("outbox", "--once", db_url=db_url, extra_env=webhook_env(receiver))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "outbox: 1 done, 0 retried, 0 dead"
    assert len(receiver.created()) == 1
    again = run_cli("outbox", "--once", db_url=db_url, extra_env=webhook_env(receiver))
    assert again.stdout.strip() == "outbox: 0 done, 0 retried, 0 dead"
    assert len(receiver.created()) == 1


def test_worker_once_reports_retries_and_dead_calls_with_their_errors(
    db_url: str, kb: Engine, receiver: WebhookReceiver
) -> None:
    open_ticket(kb, "webhook")
    open_ticket(kb, "webhook", code="AIS.0002", message_key="1700000000.000200")
    receiver.fail(503)
    receiver.fail(403)
    # A backoff no slow machine outlasts between these commands: the 503 one stays waiting.
    env = webhook_env(receiver, HWERROR_OUTBOX_BACKOFF_BASE="30m")
    result = run_cli("outbox", "--once", db_url=db_url, extra_env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "outbox: 0 done, 1 retried, 1 dead"
    assert lines[1] == "  dead: item 2 (create, ticket 2): webhook POST answered 403: injected 403"

    listed = run_cli("outbox", "--dead", db_url=db_url, extra_env=env)
    assert listed.returncode == 0, listed.stderr
    assert (
        "item 2 (create, ticket 2, webhook, 1 attempts): webhook POST answered 403: injected 403"
        in listed.stdout
    )
    assert listed.stdout.strip().endswith("1 dead item(s)")

    requeued = run_cli("outbox", "--requeue-dead", db_url=db_url, extra_env=env)
    assert requeued.stdout.strip() == "requeued 1 dead item(s)"
    after = run_cli("outbox", "--once", db_url=db_url, extra_env=env)
    assert after.stdout.strip() == "outbox: 1 done, 0 retried, 0 dead"  # the 503 one waits for its backoff


def test_bad_settings_stop_the_worker_naming_the_variable_and_not_the_secret(
    db_url: str, engine: Engine
) -> None:
    result = run_cli(
        "outbox",
        "--once",
        db_url=db_url,
        extra_env={
            "HWERROR_TICKET_BACKEND": "webhook",
            "HWERROR_WEBHOOK_URL": "ftp://hooks.example.test",
            "HWERROR_WEBHOOK_SECRET": "do-not-print-me",
        },
    )
    assert result.returncode == 2
    assert "HWERROR_WEBHOOK_URL='ftp://hooks.example.test' is not an http(s) URL" in result.stderr
    assert "do-not-print-me" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr

    unknown = run_cli("outbox", "--once", db_url=db_url, extra_env={"HWERROR_TICKET_BACKEND": "servicenow"})
    assert unknown.returncode == 2
    assert (
        "HWERROR_TICKET_BACKEND must be one of internal, webhook, jira or huaweicloud (got 'servicenow')"
        in unknown.stderr
    )


def test_worker_on_a_database_not_yet_migrated_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli("outbox", "--once", db_url=f"sqlite:///{tmp_path}/empty.db")
    assert result.returncode == 1
    assert "run hwerror db upgrade here first" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_looping_worker_processes_new_items_and_exits_cleanly_on_a_signal(
    db_url: str, kb: Engine, receiver: WebhookReceiver, signum: int
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"DATABASE_URL": db_url, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    env.update(webhook_env(receiver, HWERROR_OUTBOX_POLL_INTERVAL="1s"))
    proc = subprocess.Popen(
        [*HWERROR, "outbox"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # A ticket opened while the worker runs reaches the backend on a later pass.
        open_ticket(kb, "webhook")
        deadline = time.monotonic() + 30
        while not receiver.created() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert len(receiver.created()) == 1
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert out.splitlines()[0].startswith("worker: webhook backend, polling every 1 s")
    assert "outbox: 1 done, 0 retried, 0 dead" in out
    assert out.strip().endswith("worker stopped; outbox: 1 done, 0 retried, 0 dead")
