"""`hwerror serve` as a real process: what it says without credentials, Socket Mode through our
base URL, and the deployment files (manifest.yml, Procfile) agreeing with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot.slack.blocks.ids import COMMAND, CallbackId
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from testing.cli import run_cli
from testing.slack.requests import BOT_TOKEN, free_port
from testing.slack.server import FakeSlack

ROOT = Path(__file__).resolve().parents[1]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_serve_without_credentials_names_what_is_missing_and_where_to_get_it(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'x.db'}"
    r = run_cli("serve", db_url=db_url, stdin="")
    err = _flat(r.stderr)
    assert r.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in err
    assert "manifest.yml" in err and "Signing Secret" in err and "xapp-" in err
    r = run_cli("serve", db_url=db_url, stdin="", extra_env={"SLACK_BOT_TOKEN": "xoxb-secret-1"})
    assert r.returncode == 2 and "SLACK_SIGNING_SECRET is not set" in _flat(r.stderr)
    assert "xoxb-secret-1" not in r.stderr + r.stdout
    r = run_cli("serve", "--socket-mode", db_url=db_url, stdin="", extra_env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert r.returncode == 2 and "SLACK_APP_TOKEN is not set" in _flat(r.stderr)


def test_serve_with_an_app_token_uses_socket_mode_through_our_base_url(engine: Engine, db_url: str) -> None:
    with transaction(engine) as session:
        load_bundled(session)
    with FakeSlack() as slack:
        env = {
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-test",
            "SLACK_API_BASE_URL": slack.api_url,
            "PORT": str(free_port()),
            "PATH": "/usr/bin:/bin",
        }
        proc = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            call = slack.wait_for("apps.connections.open", timeout=30)[0]
            assert call.headers["Authorization"] == "Bearer xapp-1-test"
            assert [c.headers["Authorization"] for c in slack.find("auth.test")] == [f"Bearer {BOT_TOKEN}"]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_the_manifest_matches_what_the_app_listens_for() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert [(s["type"], s["callback_id"], s["name"]) for s in features["shortcuts"]] == [
        ("message", CallbackId.SHORTCUT, "Explain Huawei error")
    ]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.channels",
        "message.groups",
        "app_home_opened",
    }
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    urls = [c["url"] for c in features["slash_commands"]] + [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(u.endswith("/slack/events") for u in urls)
    assert {
        "commands",
        "chat:write",
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "files:write",
    } == set(manifest["oauth_config"]["scopes"]["bot"])
    assert settings["socket_mode_enabled"] in (True, False)


def test_the_procfile_runs_web_worker_release_and_clock() -> None:
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["web"] == "hwerror serve --http"
    assert lines["worker"] == "hwerror serve --socket-mode"
    assert lines["release"] == "hwerror db upgrade"
    assert lines["clock"] == "hwerror clock"


def test_serve_without_credentials_at_a_terminal_starts_the_shell(engine: Engine, db_url: str) -> None:
    import os
    import pty
    import select as io_select

    with transaction(engine) as session:
        load_bundled(session)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"DATABASE_URL": db_url, "NO_COLOR": "1", "COLUMNS": "120"})
    proc = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    out = b""
    try:
        os.write(master, b"/hwerror AIS.0027\n/quit\n")
        while proc.poll() is None or io_select.select([master], [], [], 0)[0]:
            ready, _, _ = io_select.select([master], [], [], 20)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text_ = _flat(out.decode(errors="replace"))
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in text_
    assert "Starting the shell adapter" in text_ and "Check whether the account is in arrears" in text_
    assert proc.returncode == 0
