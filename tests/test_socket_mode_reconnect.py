"""`hwerror serve --socket-mode` as a real process against a local Socket Mode endpoint: after a TCP
reset, a half-open link, a failing `apps.connections.open`, a close frame or a `disconnect`
message, a new connection arrives within 10 s and an envelope sent on it is acknowledged."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from knowledge.db import make_engine
from knowledge.schema import upgrade
from testing.slack.requests import BOT_TOKEN, slash_fields
from testing.slack.server import FakeSlack
from testing.slack.socket_mode import Link, SocketModeServer

RECONNECT_WITHIN = 10.0


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database: reconnecting does not depend on the database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('socket') / 'hwerror.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


class Running:
    def __init__(self, slack: FakeSlack, endpoint: SocketModeServer, proc: subprocess.Popen[str], log: Path):
        self.slack, self.endpoint, self.proc, self.log = slack, endpoint, proc, log

    def output(self) -> str:
        return self.log.read_text()

    def answered(self, link: Link, text: str = "help") -> dict[str, object]:
        envelope = link.envelope("slash_commands", slash_fields(text))
        return link.wait_for_ack(envelope, timeout=10)


@pytest.fixture
def running(migrated: str, tmp_path: Path) -> Iterator[Running]:
    with FakeSlack() as slack, SocketModeServer() as endpoint:
        endpoint.attach(slack)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HWERROR_"))}
        env.update(
            {
                "DATABASE_URL": migrated,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-test-app-token",
                "SLACK_API_BASE_URL": slack.api_url,
                "NO_COLOR": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = tmp_path / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--socket-mode"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        try:
            yield Running(slack, endpoint, proc, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _first_link(app: Running) -> Link:
    link = app.endpoint.wait_for_link(1, timeout=60)  # start-up: imports, migrations check, index
    ack = app.answered(link)
    assert ack["payload"], "the slash command's card comes back in the ack"
    return link


BREAKS: dict[str, Callable[[Link], None]] = {
    "tcp-reset": Link.reset,
    "pings-unanswered": lambda link: link.go_silent(),
    "nothing-read": lambda link: link.go_silent(stop_reading=True),
    "close-frame": lambda link: link.close(1001, "going away"),
    "disconnect-message": Link.disconnect,
}


@pytest.mark.parametrize("how", list(BREAKS))
def test_a_broken_link_is_replaced_within_seconds_and_the_new_one_is_acked(
    running: Running, how: str
) -> None:
    first = _first_link(running)
    BREAKS[how](first)
    second = running.endpoint.wait_for_link(2, timeout=RECONNECT_WITHIN)
    assert running.answered(second)["payload"]
    assert running.proc.poll() is None
    # Every line the client logged is one line (no tracebacks), and no token is in the log.
    out = running.output()
    assert "Traceback" not in out
    assert "xapp-1-test-app-token" not in out and BOT_TOKEN not in out


def test_failing_connections_open_is_retried_with_backoff_until_it_works(running: Running) -> None:
    first = _first_link(running)
    running.slack.fail(
        "apps.connections.open",
        status=503,
        body={"ok": False, "error": "service_unavailable"},
        retry_after=None,
        times=3,
    )
    before = len(running.slack.find("apps.connections.open"))
    first.reset()
    second = running.endpoint.wait_for_link(2, timeout=RECONNECT_WITHIN)
    assert running.answered(second)["payload"]
    calls = running.slack.find("apps.connections.open")[before:]
    assert [c.answered for c in calls] == [503, 503, 503, 200]
    gaps = [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]
    assert gaps[1] > gaps[0] * 1.5 and gaps[2] > gaps[1] * 1.5, f"no backoff between attempts: {gaps}"
    assert running.output().count("Socket Mode: no new connection") == 3


def test_connections_open_failing_at_start_is_waited_out_not_fatal(migrated: str, tmp_path: Path) -> None:
    with FakeSlack() as slack, SocketModeServer() as endpoint:
        endpoint.attach(slack)
        slack.fail(
            "apps.connections.open", status=500, body={"ok": False, "error": "internal_error"}, times=2
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HWERROR_"))}
        env.update(
            {
                "DATABASE_URL": migrated,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-test",
                "SLACK_API_BASE_URL": slack.api_url,
            }
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--socket-mode"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            link = endpoint.wait_for_link(1, timeout=60)
            envelope = link.envelope("slash_commands", slash_fields("help"))
            assert link.wait_for_ack(envelope)["envelope_id"] == envelope
            assert [c.answered for c in slack.find("apps.connections.open")][:3] == [500, 500, 200]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
