"""`hwerror serve --http` as an operator runs it: a refused token, Slack away at boot, /metrics, one
log line per request, /healthz during a database partition. Real processes against FakeSlack."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from bot import metrics
from bot.core.incidents.models import OutboxItem
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from testing.cli import run_cli
from testing.partition import Partition
from testing.slack.requests import (
    BOT_TOKEN,
    JSON,
    SIGNING_SECRET,
    AppProcess,
    event_body,
    free_port,
    http,
    message,
    uniq,
)
from testing.slack.server import FakeSlack


def _env(slack: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_BASE_URL": slack.api_url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
    }


@pytest.mark.parametrize("error", ["invalid_auth", "not_authed", "account_inactive"])
def test_a_refused_token_is_one_line_naming_slack_bot_token_and_exit_2(tmp_path: Path, error: str) -> None:
    db_url = f"sqlite:///{tmp_path / 'x.db'}"
    assert run_cli("db", "upgrade", db_url=db_url).returncode == 0
    with FakeSlack() as slack:
        slack.fail("auth.test", status=200, body={"ok": False, "error": error}, retry_after=None, times=99)
        r = run_cli("serve", "--http", db_url=db_url, stdin="", extra_env=_env(slack), timeout=60)
        assert r.returncode == 2, r.stdout + r.stderr
        assert r.stderr.strip().splitlines() == [
            f"error: Slack refused SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token (xoxb-…) "
            "again from OAuth & Permissions, or reinstall the app"
        ]
        assert len(slack.find("auth.test")) == 1, "asked once, by the master: no worker started"
        assert BOT_TOKEN not in r.stdout + r.stderr


def test_slack_unreachable_at_boot_keeps_the_process_up_starting_then_serving(
    engine: Engine, db_url: str
) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    port = free_port()  # where Slack will be: nothing listens there yet (connection refused)
    with FakeSlack() as elsewhere:
        app = AppProcess(
            db_url=db_url, slack=elsewhere, env={"SLACK_API_BASE_URL": f"http://127.0.0.1:{port}/api/"}
        )
        app.launch()
        try:
            starting = None
            deadline = time.monotonic() + 30
            while starting is None and time.monotonic() < deadline:
                try:
                    starting = http(app.url + "/healthz", timeout=2)
                except OSError:
                    time.sleep(0.1)
            assert starting is not None, app.output()
            assert (starting.status, starting.json()) == (503, {"ok": False, "status": "starting"})
            time.sleep(1.5)  # a few refused attempts, with backoff
            assert app.proc is not None and app.proc.poll() is None
            with FakeSlack(port=port) as slack:
                deadline = time.monotonic() + 40
                while http(app.url + "/healthz", timeout=2).status != 200:
                    assert time.monotonic() < deadline, app.output()
                    time.sleep(0.2)
                assert http(app.url + "/healthz").json() == {"ok": True}
                assert app.command("AIS.0027").status == 200
                assert len(slack.find("auth.test")) == 1, "the master asked; the workers did not"
            assert "Slack did not answer auth.test (URLError); trying again in" in app.output()
        finally:
            app.stop()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def test_metrics_count_every_request_across_workers_and_logs_say_one_line_each(
    engine: Engine, db_url: str
) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    with FakeSlack() as slack:
        app = AppProcess(db_url=db_url, slack=slack, env={"WEB_CONCURRENCY": "2", "WEB_THREADS": "4"})
        app.start()
        try:
            for _ in range(6):
                assert app.command("AIS.0027", channel="C0OPS1").status == 200
            ev = message("C0OPS2", "nothing to see here")
            assert app.event(ev, event_id=uniq("Ev")).status == 200
            unsigned = app.post(event_body(ev, event_id=uniq("Ev")), content_type=JSON, signed=False)
            assert unsigned.status == 401
            pending = 0
            deadline = time.monotonic() + 15
            while (
                not pending
            ):  # six lookups in one channel escalate; the ticket call is written behind the ack
                assert time.monotonic() < deadline, "no ticket call was queued"
                time.sleep(0.1)
                with transaction(engine) as session:
                    pending = (
                        session.scalar(
                            select(func.count(OutboxItem.id)).where(
                                OutboxItem.status == "pending", OutboxItem.kind == "ticket"
                            )
                        )
                        or 0
                    )
            r = http(app.url + "/metrics")
            log = app.output()
        finally:
            app.stop()
    assert r.status == 200
    got = _samples(r.body)
    assert got[("hwerror_requests_total", (("kind", "command"), ("outcome", "ok")))] == 6
    assert got[("hwerror_requests_total", (("kind", "event"), ("outcome", "ok")))] == 1
    assert got[("hwerror_requests_total", (("kind", "other"), ("outcome", "refused")))] == 1
    assert got[("hwerror_ack_seconds_count", (("kind", "command"),))] == 6
    assert got[("hwerror_ack_seconds_bucket", (("kind", "command"), ("le", "+Inf")))] == 6
    assert got[("hwerror_match_seconds_count", ())] >= 1  # repeated lookups are remembered
    assert got[("hwerror_outbox_depth", (("kind", "ticket"),))] == pending
    assert ("hwerror_outbox_oldest_seconds", (("kind", "ticket"),)) in got
    lines = [line for line in log.splitlines() if "slack request" in line]
    commands = [line for line in lines if "kind=command" in line]
    assert len(commands) == 6
    assert all("type=/hwerror channel=C0OPS1 outcome=ok status=200" in line for line in commands)
    assert sum("kind=event type=message channel=C0OPS2 outcome=ok status=200" in line for line in lines) == 1
    assert sum("kind=other type=- channel=- outcome=refused status=401" in line for line in lines) == 1
    assert "AIS.0027" not in "\n".join(lines), "a request's line never carries what was typed"
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log
    assert "Traceback" not in log


def test_outbox_and_slack_error_counters_keep_their_names_and_labels() -> None:
    before = _samples(metrics.exposition().decode())
    metrics.outbox_delivered("chat.postMessage", "retried")
    metrics.slack_api_error("chat.postMessage", "ratelimited")
    metrics.observe_request("nonsense", "ok", 0.2)
    after = _samples(metrics.exposition().decode())

    def grew(name: str, labels: tuple[tuple[str, str], ...]) -> float:
        return after[(name, labels)] - before.get((name, labels), 0.0)

    assert grew("hwerror_outbox_items_total", (("method", "chat.postMessage"), ("outcome", "retried"))) == 1
    assert (
        grew("hwerror_slack_api_errors_total", (("error", "ratelimited"), ("method", "chat.postMessage")))
        == 1
    )
    assert grew("hwerror_requests_total", (("kind", "other"), ("outcome", "ok"))) == 1
    assert grew("hwerror_ack_seconds_bucket", (("kind", "other"), ("le", "0.25"))) == 1


def test_healthz_answers_503_within_a_second_while_postgresql_is_partitioned(
    engine: Engine, db_url: str, db_kind: str
) -> None:
    if db_kind != "postgresql":
        pytest.skip("a network partition needs a database across the network")
    real = make_url(db_url)
    with Partition(real.port or 5432) as partition, FakeSlack() as slack:
        through = real.set(port=partition.port).render_as_string(hide_password=False)
        app = AppProcess(db_url=through, slack=slack, env={"WEB_CONCURRENCY": "1", "WEB_THREADS": "4"})
        app.start()
        try:
            assert http(app.url + "/healthz").json() == {"ok": True}
            partition.cut()
            for _ in range(3):  # a hung check in flight does not make the next one wait longer
                r = http(app.url + "/healthz", timeout=10)
                assert (r.status, json.loads(r.body)) == (503, {"ok": False, "database": "unavailable"})
                assert r.elapsed < 1.5, f"/healthz took {r.elapsed:.2f}s"
            partition.restore()
            deadline = time.monotonic() + 30
            while http(app.url + "/healthz", timeout=10).status != 200:
                assert time.monotonic() < deadline, app.output()
                time.sleep(0.2)
        finally:
            app.stop()
