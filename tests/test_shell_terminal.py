"""The shell as a person meets it: a real `hwerror chat` process, on a pipe and under a terminal
(a pty), for the things a pipe cannot show: line editing, history and Ctrl-C."""

from __future__ import annotations

import os
import re
import select
import sys
import time

import pytest
from sqlalchemy import Engine
from sqlalchemy import select as sql_select

from bot.core.models import FeedbackVote
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from knowledge.models import TeamNote
from testing.cli import HWERROR, run_cli

CURL = """HTTP/1.1 400 Bad Request
Content-Type: application/json;charset=utf8
X-Request-Id: 0f6e1c2a

{"error_code": "AIS.0005", "error_msg": "The service does not exist."}
"""
THREE = "AIS.0027 and AIS.0005 and AIS.0013"


def _loaded(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)


def test_curl_output_is_one_paste_and_the_buttons_name_their_card(engine: Engine, db_url: str) -> None:
    _loaded(engine)
    script = "\n".join(
        [
            CURL,  # ends with the empty line that ends the paste
            "/helpful",
            "/helpful",
            "/unhelpful",
            "/note Check the region first.",
            "/note 1 Then the project id.",
            "/hwerror " + THREE,
            "/escalate 9",
            "/note 2 Only in cn-north-4.",
            "/helpful 0",
            "quit",
            "/hwerror AIS.0013",  # never read: quit left the shell
        ]
    )
    r = run_cli("chat", db_url=db_url, stdin=script + "\n", extra_env={"USER": "fay", "LOGNAME": "fay"})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    # The headers, the empty line after them and the body were one paste: one card, one answer.
    first = out.split("Recorded on", 1)[0]
    assert first.count("The service does not exist.") == 2  # one card: its title and its meaning
    assert "No Huawei Cloud error in that text" not in out
    assert "Recorded on AIS.0005: helpful (1 helpful, 0 not helpful)" in out
    assert "You had already marked AIS.0005 helpful; nothing changed (1 helpful, 0 not helpful)" in out
    assert "Recorded on AIS.0005: not helpful (0 helpful, 1 not helpful)" in out
    assert "there is no card 9: the last answer has 3 cards, 1 to 3" in out
    assert "there is no card 0" in out
    assert out.count("Team note saved on AIS.0005") == 3  # the last two on card 1, then card 2 of three
    with engine.connect() as conn:
        notes = sorted(conn.scalars(sql_select(TeamNote.text)).all())
        votes = conn.execute(sql_select(FeedbackVote.helpful)).all()
    assert notes == ["Check the region first.", "Only in cn-north-4.", "Then the project id."]
    assert [v.helpful for v in votes] == [False]
    assert "Stats for" not in out  # nothing after quit ran


def test_team_results_in_the_terminal_carry_no_slack_markup(engine: Engine, db_url: str) -> None:
    _loaded(engine)
    script = "\n".join(
        [
            "/hwerror AIS.0027",
            "/escalate",
            "/hwerror stats",
            "/hwerror stats AIS.0027",
            "/hwerror tickets",
            "/hwerror digest",
            "exit",
        ]
    )
    r = run_cli("chat", db_url=db_url, stdin=script + "\n", extra_env={"HWERROR_ESCALATE_COUNT": "1"})
    assert r.returncode == 0, r.stderr
    team = r.stdout.split("/escalate", 1)[-1]
    assert "`" not in team and "*" not in team and "<#" not in team and "&lt;" not in team
    assert "#shell ×1" in team  # the channel as text, no stray ">"


def test_an_escalation_line_says_each_thing_once(engine: Engine, db_url: str) -> None:
    _loaded(engine)
    r = run_cli("chat", db_url=db_url, stdin="/hwerror AIS.0027\n", extra_env={"HWERROR_ESCALATE_COUNT": "1"})
    [line] = [x for x in r.stdout.splitlines() if "Ticket HW-1" in x]
    assert line.strip().endswith("Ticket HW-1 opened for AIS.0027 (1 incident): seen 1 times in 24 h")
    assert "escalated" not in line.lower()


def _read_until(fd: int, pattern: str, timeout: float = 30.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if re.search(pattern, seen.decode(errors="replace")):
                return seen.decode(errors="replace")
    raise AssertionError(f"{pattern!r} not seen in {seen.decode(errors='replace')[-2000:]!r}")


@pytest.mark.skipif(sys.platform == "win32", reason="a pty")
def test_under_a_terminal_history_recalls_a_line_and_ctrl_c_cancels_only_the_paste(
    engine: Engine, db_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import pty

    _loaded(engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        {"DATABASE_URL": db_url, "COLUMNS": "100", "NO_COLOR": "1", "HOME": str(tmp_path), "TERM": "xterm"}
    )
    pid, fd = pty.fork()
    if pid == 0:  # the child: the shell, with the pty as its terminal
        os.execve(HWERROR[0], HWERROR + ["chat"], env)
    try:
        _read_until(fd, r"hwerror> ")
        os.write(fd, b"/hwerror AIS.0027\r")
        _read_until(fd, r"account has been frozen[\s\S]*hwerror> ")
        # Up arrow brings the lookup back (readline's history); Enter runs it again.
        os.write(fd, b"\x1b[A\r")
        _read_until(fd, r"account has been frozen[\s\S]*hwerror> ")
        # A paste being typed, then Ctrl-C: the paste is dropped and the shell goes on.
        os.write(fd, b'{"error_code": "AIS.0013",\r')
        _read_until(fd, r"\.\.\. ")
        # readline can lose a SIGINT that arrives while it is still setting up the prompt (as a
        # person would, the test presses Ctrl-C again if the first one was not seen).
        time.sleep(0.3)
        os.write(fd, b"\x03")
        try:
            _read_until(fd, r"\(cancelled\)[\s\S]*hwerror> ", timeout=5)
        except AssertionError:
            os.write(fd, b"\x03")
            _read_until(fd, r"\(cancelled\)[\s\S]*hwerror> ")
        os.write(fd, b"exit\r")
        _, status = os.waitpid(pid, 0)
        pid = 0
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    with engine.connect() as conn:
        from bot.core.incidents.models import Incident

        codes = conn.scalars(sql_select(Incident.code)).all()
    assert sorted(codes) == ["AIS.0027", "AIS.0027"]  # the cancelled AIS.0013 paste was not answered
    assert (tmp_path / ".hwerror_history").read_text().count("/hwerror AIS.0027") >= 1
