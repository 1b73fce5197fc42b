"""Acked means kept, against the real server: a database cut under load, a worker killed with work
in hand, claims given back when answering fails, a command answered while the database is away."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from bot.core.incidents.enums import OutboxKind, OutboxStatus
from bot.core.incidents.models import Incident, OutboxItem
from bot.core.models import AnsweredMessage
from knowledge.db import session_factory
from testing.partition import Partition, sqlite_locked
from testing.slack.requests import AppProcess, message, new_ts, uniq
from testing.slack.server import FakeSlack

ERROR = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'
RUNTIME = {
    "HWERROR_LEASE_SECONDS": "2",
    "HWERROR_DB_SQLITE_TIMEOUT": "0.5",
    "HWERROR_DB_CONNECT_TIMEOUT": "1",
    "HWERROR_CHANNEL_INTERVAL": "0",
    "HWERROR_ESCALATE_COUNT": "100000",  # no escalation notices in the threads counted here
}


def _replies(slack: FakeSlack, channel: str) -> dict[str, int]:
    """Thread ts → how many replies the bot posted there."""
    out: dict[str, int] = {}
    for m in slack.messages.get(channel, []):
        out[m.get("thread_ts", "")] = out.get(m.get("thread_ts", ""), 0) + 1
    return out


def _wait(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def _count(engine: Engine, query: Any) -> int:
    with session_factory(engine)() as session:
        return int(session.scalar(query) or 0)


@pytest.fixture
def cut(kb: Engine, db_url: str) -> Iterator[tuple[str, Any]]:
    """The URL the app should use, and a function that cuts the database for `seconds`."""
    if db_url.startswith("sqlite"):
        path = make_url(db_url).database or ""

        def cut_sqlite(seconds: float) -> None:
            with sqlite_locked(path):
                time.sleep(seconds)

        yield db_url, cut_sqlite
        return
    parsed = make_url(db_url)
    with Partition(parsed.port or 5432, parsed.host or "127.0.0.1") as proxy:

        def cut_postgres(seconds: float) -> None:
            proxy.drop()
            time.sleep(seconds)
            proxy.restore()

        yield proxy.url(db_url), cut_postgres


def test_nothing_acknowledged_is_lost_while_the_database_is_cut(
    kb: Engine, cut: tuple[str, Any], slack: FakeSlack
) -> None:
    url, cut_for = cut
    app = AppProcess(db_url=url, slack=slack, env=RUNTIME).start()
    channel = uniq("CCUT")
    try:
        before = [new_ts() for _ in range(5)]
        for ts in before:
            assert app.event(message(channel, ERROR, ts=ts), event_id=uniq("Ev")).status == 200
        import threading

        during = [new_ts() for _ in range(10)]
        answers: dict[str, int] = {}
        cutting = threading.Thread(target=cut_for, args=(4.0,))
        cutting.start()
        time.sleep(0.3)
        for ts in during:
            answers[ts] = app.event(message(channel, ERROR, ts=ts), event_id=uniq("Ev")).status
        cutting.join()
        refused = [ts for ts, status in answers.items() if status != 200]
        assert refused, "the cut database refused something: the test must be able to fail"
        assert set(answers.values()) <= {200, 503}
        for ts in refused:  # what Slack does with a delivery that was not acknowledged
            assert app.event(message(channel, ERROR, ts=ts), event_id=uniq("Ev"), retry=1).status == 200
        every = set(before) | set(during)
        assert _wait(lambda: set(_replies(slack, channel)) >= every, timeout=60), app.output()[-2000:]
        time.sleep(1.5)  # a second copy would come now, if one were on its way
        assert all(n == 1 for n in _replies(slack, channel).values())
        incidents = select(func.count()).select_from(Incident).where(Incident.channel == channel)
        assert _count(kb, incidents) == len(every)
    finally:
        app.stop()


def _worker_pid(app: AppProcess) -> int:
    assert app.proc is not None
    children = Path(f"/proc/{app.proc.pid}/task/{app.proc.pid}/children").read_text().split()
    assert len(children) == 1
    return int(children[0])


def test_a_worker_killed_with_work_in_hand_loses_nothing(kb: Engine, db_url: str, slack: FakeSlack) -> None:
    app = AppProcess(db_url=db_url, slack=slack, env={**RUNTIME, "WEB_CONCURRENCY": "1"}).start()
    try:
        # A reply in flight: Slack takes the post, and the worker dies before it hears back.
        channel = uniq("CKILL")
        ts = new_ts()
        slack.hang("chat.postMessage", seconds=20)
        app.event(message(channel, ERROR, ts=ts), event_id=uniq("Ev"))
        slack.wait_for("chat.postMessage", lambda c: c.body.get("channel") == channel)
        os.kill(_worker_pid(app), signal.SIGKILL)

        # A kept message being answered: its snippet is being read when the worker dies.
        second = uniq("CKILL")
        url = slack.host_file(uniq("snip"), "line\n" * 400 + ERROR)
        snippet = {
            "id": "F1",
            "mode": "snippet",
            "preview_is_truncated": True,
            "url_private": url,
            "preview": "line",
        }
        assert _wait(lambda: _alive(app), timeout=30)
        slack.hang("files.download", seconds=20)
        app.event(message(second, "see the log", files=[snippet]), event_id=uniq("Ev"))
        slack.wait_for("files.download", lambda c: True, count=1)
        os.kill(_worker_pid(app), signal.SIGKILL)

        assert _wait(lambda: _replies(slack, channel) == {ts: 1} and len(_replies(slack, second)) == 1, 60), (
            app.output()[-3000:]
        )
        time.sleep(1.5)
        assert _replies(slack, channel) == {ts: 1}, "the reply that was in flight is not posted twice"
        assert list(_replies(slack, second).values()) == [1]
        for where in (channel, second):
            incidents = select(func.count()).select_from(Incident).where(Incident.channel == where)
            assert _count(kb, incidents) == 1
        left = select(func.count()).select_from(OutboxItem).where(OutboxItem.status == OutboxStatus.PENDING)
        assert _count(kb, left.where(OutboxItem.kind != OutboxKind.TICKET)) == 0
    finally:
        slack.hangs.clear()
        app.stop()


def _alive(app: AppProcess) -> bool:
    from testing.slack.requests import http

    try:
        return _worker_pid(app) > 0 and http(app.url + "/healthz", timeout=2).status == 200
    except (OSError, AssertionError):
        return False


def test_a_command_is_answered_from_memory_while_the_database_is_away_and_recorded_after(
    kb: Engine, cut: tuple[str, Any], slack: FakeSlack
) -> None:
    url, cut_for = cut
    app = AppProcess(db_url=url, slack=slack, env=RUNTIME).start()
    channel = uniq("CAWAY")
    try:
        import threading

        cutting = threading.Thread(target=cut_for, args=(4.0,))
        cutting.start()
        time.sleep(0.3)
        started = time.monotonic()
        answer = app.command("AIS.0027", channel=channel)
        took = time.monotonic() - started
        cutting.join()
        assert answer.status == 200 and took < 2.5
        assert "The account has been frozen" in json.dumps(answer.json())
        commands = select(func.count()).select_from(Incident).where(Incident.channel == channel)
        assert _wait(lambda: _count(kb, commands) == 1, timeout=30), app.output()[-2000:]
    finally:
        app.stop()


def test_answering_that_fails_gives_the_claims_back(kb: Engine) -> None:
    from bot.core.build import AppSettings, build_service
    from bot.core.incidents.enums import Source
    from bot.core.incidents.record import Sighting
    from bot.core.store import MessageRef
    from bot.slack.runtime.outgoing import SlackOutgoing

    service = build_service(kb, AppSettings.from_env(), batch_gaps=False)
    ref = MessageRef(channel="CFAIL", ts="9.000001", thread_ts="9.000001")
    where = Sighting(workspace="T1", channel="CFAIL", message_key=ref.ts, source=Source.PASTE, text=ERROR)

    def lost_lease(_: object) -> bool:
        raise RuntimeError("the database went away mid-answer")

    with service.sessions() as session, pytest.raises(RuntimeError):
        service.answer(session, ERROR, ref, where, SlackOutgoing(None), settle=lost_lease)
    claims = select(func.count()).select_from(AnsweredMessage).where(AnsweredMessage.channel_id == "CFAIL")
    owed = select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == OutboxKind.CHAT)
    assert _count(kb, claims) == 0 and _count(kb, owed) == 0
    with service.sessions() as session:
        reply = service.answer(session, ERROR, ref, where, SlackOutgoing(None))
    assert reply is not None and [c.code for c in reply.cards] == ["AIS.0027"]
    assert _count(kb, claims) == 1 and _count(kb, owed) == 1


def test_a_command_during_a_storm_on_a_slow_slack_is_answered_at_once(
    kb: Engine, db_url: str, slack: FakeSlack
) -> None:
    app = AppProcess(db_url=db_url, slack=slack, env=RUNTIME).start()
    channels = [uniq("CSTORM") for _ in range(5)]
    try:
        slack.hang("chat.postMessage", seconds=3.0, times=40)  # every post takes 3 s to answer
        for i in range(40):
            assert app.event(message(channels[i % 5], ERROR, ts=new_ts()), event_id=uniq("Ev")).status == 200
        times = []
        for _ in range(5):
            started = time.monotonic()
            answer = app.command("AIS.0005", channel=channels[0])
            times.append(time.monotonic() - started)
            assert answer.status == 200 and "AIS.0005" in json.dumps(answer.json())
        assert max(times) < 1.5, times
    finally:
        slack.hangs.clear()
        app.stop()


def test_in_socket_mode_an_event_the_database_cannot_keep_is_not_acknowledged(
    kb: Engine, cut: tuple[str, Any], slack: FakeSlack
) -> None:
    import threading

    from testing.slack.requests import event_body
    from testing.slack.socket_mode import SocketModeServer

    url, cut_for = cut
    with SocketModeServer() as endpoint:
        endpoint.attach(slack)
        app = AppProcess(db_url=url, slack=slack, env={**RUNTIME, "SLACK_APP_TOKEN": "xapp-1-test"}).launch()
        try:
            link = endpoint.wait_for_link(1, timeout=90)
            channel, ts = uniq("CSOCK"), new_ts()
            body = json.loads(event_body(message(channel, ERROR, ts=ts), event_id=uniq("Ev")))
            cutting = threading.Thread(target=cut_for, args=(4.0,))
            cutting.start()
            time.sleep(0.3)
            envelope = link.envelope("events_api", body)
            with pytest.raises(AssertionError, match="no ack"):
                link.wait_for_ack(envelope, timeout=2.5)  # not kept: not acknowledged
            cutting.join()
            again = link.envelope("events_api", body)  # Slack delivers it again
            link.wait_for_ack(again, timeout=15)
            assert _wait(lambda: _replies(slack, channel) == {ts: 1}, timeout=30), app.output()[-2000:]
            assert not [m for m in link.messages if m.get("envelope_id") == envelope], "refused, never acked"
        finally:
            app.stop()
