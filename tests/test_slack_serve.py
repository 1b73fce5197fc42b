"""`hwerror serve` as a real process: what it says without credentials, Socket Mode through our
base URL, and the deployment files (manifest.yml, Procfile) agreeing with the code."""

from __future__ import annotations

import ipaddress
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from bot.config import Settings, bind_address
from bot.slack.blocks.ids import COMMAND, CallbackId
from knowledge.bundled import load_bundled
from knowledge.db import make_engine, transaction
from knowledge.schema import upgrade
from testing.cli import run_cli
from testing.slack.requests import BOT_TOKEN, AppProcess, free_port, http
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
        "files:read",
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


# -- where HTTP mode listens ----------------------------------------------------------------------


def _listening(port: int) -> list[str]:
    """The local addresses of the sockets listening on `port`, from the kernel's socket tables."""
    addresses = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            # The address is printed as 32-bit words in host order; the port as a plain number.
            raw = b"".join(int(host[i : i + 8], 16).to_bytes(4, sys.byteorder) for i in range(0, size * 2, 8))
            addresses.append(socket.inet_ntop(socket.AF_INET if size == 4 else socket.AF_INET6, raw))
    return addresses


def _own_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (`hostname -I`): the only others we may connect to."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    own = []
    for word in out.split():
        try:
            address = ipaddress.ip_address(word)
        except ValueError:
            continue
        if address.version == 4 and not address.is_loopback:
            own.append(word)
    return own


def _refused(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        try:
            s.connect((host, port))
        except ConnectionRefusedError:
            return True
        return False


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    """A migrated SQLite database: where the server listens does not depend on the database."""
    url = f"sqlite:///{tmp_path / 'hwerror.db'}"
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()
    return url


def _serving(db_url: str, slack: FakeSlack, port: int, env: dict[str, str]) -> AppProcess:
    app = AppProcess(db_url=db_url, slack=slack, env={"WEB_CONCURRENCY": "1", "WEB_THREADS": "2", **env})
    app.url = f"http://127.0.0.1:{port}"  # where it should answer, whatever PORT says
    return app.start()


def test_hwerror_bind_127_0_0_1_listens_on_loopback_only(migrated: str) -> None:
    port = free_port()
    with FakeSlack() as slack:
        # PORT names another port: answering on `port` at all shows HWERROR_BIND was used.
        app = _serving(migrated, slack, port, {"HWERROR_BIND": f"127.0.0.1:{port}"})
        try:
            assert http(app.url + "/healthz").json() == {"ok": True}
            assert _listening(port) == ["127.0.0.1"], "one socket, on loopback, not 0.0.0.0 or ::"
            assert _listening(app.port) == [], "nothing on $PORT"
            for address in _own_addresses():
                assert _refused(address, port), f"{address}:{port} answered"
            assert f"HTTP mode on 127.0.0.1:{port}" in app.output()
        finally:
            app.stop()


def test_gunicorn_cmd_args_bind_wins_over_hwerror_bind(migrated: str) -> None:
    ours, theirs = free_port(), free_port()
    with FakeSlack() as slack:
        env = {"HWERROR_BIND": f"127.0.0.1:{ours}", "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{theirs}"}
        app = _serving(migrated, slack, theirs, env)
        try:
            assert http(app.url + "/healthz").status == 200
            assert _listening(theirs) == ["127.0.0.1"]
            assert _listening(ours) == []
        finally:
            app.stop()


def test_http_mode_listens_on_every_interface_at_port_by_default(migrated: str) -> None:
    with FakeSlack() as slack:
        app = AppProcess(db_url=migrated, slack=slack, env={"WEB_CONCURRENCY": "1", "WEB_THREADS": "2"})
        app.start()
        try:
            assert _listening(app.port) == ["0.0.0.0"]
        finally:
            app.stop()


@pytest.mark.parametrize(
    "value",
    ["127.0.0.1", "localhost", "0.0.0.0:0", "0.0.0.0:70000", "::1:80", "[nope]:80", "300.1.1.1:80", "unix:"],
)
def test_bad_bind_addresses_are_refused_saying_what_would_do(value: str) -> None:
    with pytest.raises(ValueError, match=re.escape("host:port, [ipv6]:port or unix:/path")):
        bind_address(value)


def test_a_bad_hwerror_bind_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "HWERROR_BIND": "[nope]:80"}
    r = run_cli("serve", "--http", db_url=f"sqlite:///{tmp_path / 'x.db'}", stdin="", extra_env=env)
    assert r.returncode == 2, r.stdout + r.stderr  # bad configuration exits 2, like a usage error
    assert r.stderr.strip() == (
        "error: HWERROR_BIND: '[nope]:80' is not an address to listen on: "
        "host:port, [ipv6]:port or unix:/path"
    )


@pytest.mark.parametrize(
    "value", ["127.0.0.1:8080", "[::1]:3000", "unix:/run/hwerror.sock", "web-1.internal:80"]
)
def test_good_bind_addresses_are_taken_as_given(value: str) -> None:
    assert bind_address(value) == value
    assert Settings(hwerror_bind=value, port=1).bind == value


def test_an_unset_or_empty_hwerror_bind_means_every_interface_on_port() -> None:
    assert Settings(port=4321).bind == "0.0.0.0:4321"
    assert Settings(hwerror_bind="  ", port=4321).bind == "0.0.0.0:4321"
