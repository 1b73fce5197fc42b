"""The chat sender against a local Slack: every refusal kind retried, sent smaller or dead, each
item delivered once (across senders too), paced per channel, and split replies in order."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, select

from bot.core.cards import RemedyCard
from bot.core.incidents.enums import OutboxStatus
from bot.core.incidents.models import OutboxItem
from bot.core.incidents.outbox.calls import Backoff
from bot.core.outgoing import owe
from bot.core.pipeline import Reply
from bot.core.store import MessageRef
from bot.slack.blocks.parts import TEXT_BUDGET, block_text_length, reply_parts
from bot.slack.blocks.text import MAX_BLOCKS, SlackMessage
from bot.slack.runtime.outgoing import SlackOutgoing, post
from bot.slack.runtime.pacing import Pacer
from bot.slack.runtime.sender import ChatSender
from knowledge.db import session_factory, transaction
from knowledge.types import EntryData
from testing.slack.server import FakeSlack


def _sender(engine: Engine, slack: FakeSlack, **kwargs: Any) -> ChatSender:
    client = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=1, retry_handlers=[])
    kwargs.setdefault("backoff", Backoff(base=timedelta(0), cap=timedelta(0)))
    kwargs.setdefault("pacer", Pacer({"chat.postMessage": 0.0}))
    return ChatSender(engine, client, poll=0.05, **kwargs)


def _owe_post(engine: Engine, channel: str, text: str, key: str, thread_ts: str | None = "1.000100") -> None:
    with transaction(engine) as session:
        owe(session, [post(channel, SlackMessage(text=text, blocks=[]), key, thread_ts=thread_ts)])


def _card(code: str, handling: str) -> RemedyCard:
    return RemedyCard(EntryData("ocr", code, 0, 400, f"{code} went wrong.", "Details.", handling))


def _long_reply(cards: int = 5, handling_chars: int = 2900) -> Reply:
    return Reply(
        cards=tuple(_card(f"OCR.{i:04d}", "Check it. " * (handling_chars // 10)) for i in range(cards))
    )


def _statuses(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(OutboxItem.status).order_by(OutboxItem.id)))


def _drain_until(sender: ChatSender, done: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        sender.drain(timeout=2)
        time.sleep(0.05)


def test_a_long_reply_is_split_into_messages_inside_slacks_limits_in_order() -> None:
    parts = reply_parts(_long_reply(), thread_ts="1.0")
    assert len(parts) >= 2
    for part in parts:
        blocks = part["kwargs"]["blocks"]
        assert len(blocks) <= MAX_BLOCKS and block_text_length(blocks) <= TEXT_BUDGET
    codes = [
        c
        for part in parts
        for c in ("OCR.0000", "OCR.0001", "OCR.0002", "OCR.0003", "OCR.0004")
        if c in part["kwargs"]["text"]
    ]
    assert codes == ["OCR.0000", "OCR.0001", "OCR.0002", "OCR.0003", "OCR.0004"]


def test_a_split_reply_reaches_the_thread_in_order(engine: Engine) -> None:
    ref = MessageRef(channel="CSPLIT", ts="5.000100", thread_ts="5.000100")
    with transaction(engine) as session:
        owe(session, SlackOutgoing(None).reply(_long_reply(), ref))
    with FakeSlack() as slack:
        _sender(engine, slack).drain()
        posts = slack.find("chat.postMessage")
        texts = " ".join(c.body["text"] for c in posts)
        assert len(posts) >= 2 and all(c.body["thread_ts"] == "5.000100" for c in posts)
        assert [texts.index(f"OCR.000{i}") for i in range(5)] == sorted(
            texts.index(f"OCR.000{i}") for i in range(5)
        )
    assert _statuses(engine) == [OutboxStatus.DONE]


def test_a_reply_slack_finds_too_long_is_sent_smaller_never_dropped(engine: Engine) -> None:
    ref = MessageRef(channel="CBIG", ts="6.000100", thread_ts="6.000100")
    reply = _long_reply(cards=3, handling_chars=600)
    with transaction(engine) as session:
        owe(session, SlackOutgoing(None).reply(reply, ref))
    with FakeSlack() as slack:
        # Slack refuses every message with blocks: first the three cards together, then each alone.
        for error in ("msg_blocks_too_long", "invalid_blocks", "msg_too_long", "msg_blocks_too_long"):
            slack.fail(
                "chat.postMessage",
                lambda b: bool(b.get("blocks")),
                status=200,
                body={"ok": False, "error": error},
                retry_after=None,
            )
        sender = _sender(engine, slack)
        sender.drain()
        delivered = [c for c in slack.find("chat.postMessage") if c.answer.get("ok")]
        assert len(delivered) == 3, "one smaller message per card"
        assert [c.body["text"].split(" ")[0] for c in delivered] == ["OCR.0000", "OCR.0001", "OCR.0002"]
        assert "What to do" in delivered[0].body["text"]
        assert sender.tally.degraded == 4
    assert _statuses(engine) == [OutboxStatus.DONE]


def test_rate_limits_and_passing_errors_are_retried_until_delivered_once(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.fail("chat.postMessage", status=429, retry_after=1)
        slack.fail(
            "chat.postMessage", status=200, body={"ok": False, "error": "ratelimited"}, retry_after=None
        )
        slack.fail(
            "chat.postMessage", status=200, body={"ok": False, "error": "internal_error"}, retry_after=None
        )
        _owe_post(engine, "CRETRY", "AIS.0027 again", "k-retry")
        sender = _sender(engine, slack)
        started = time.monotonic()
        _drain_until(sender, lambda: _statuses(engine) == [OutboxStatus.DONE])
        assert time.monotonic() - started >= 1.0, "the 429's Retry-After was honoured"
        delivered = [c for c in slack.find("chat.postMessage") if c.answer.get("ok")]
        assert len(delivered) == 1 and sender.tally.retried == 3
        assert slack.messages["CRETRY"][0]["text"] == "AIS.0027 again"


def test_a_post_whose_answer_is_lost_is_looked_up_not_posted_twice(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.hang("chat.postMessage", seconds=2.0)  # posted, but the answer comes after our timeout
        _owe_post(engine, "CHANG", "AIS.0005 once", "k-hang")
        sender = _sender(engine, slack)
        _drain_until(sender, lambda: _statuses(engine) == [OutboxStatus.DONE])
        assert len(slack.messages["CHANG"]) == 1, "exactly one message in the thread"
        assert slack.find("conversations.replies"), "the thread was searched before trying again"

    with FakeSlack() as slack:
        slack.fail("chat.postMessage", status=503, body={"ok": False, "error": "service_unavailable"})
        _owe_post(engine, "C5XX", "AIS.0002 once", "k-5xx")
        sender = _sender(engine, slack)
        _drain_until(sender, lambda: _statuses(engine)[-1] == OutboxStatus.DONE)
        assert len(slack.messages["C5XX"]) == 1


def test_a_refusal_for_good_is_dead_and_an_expired_deadline_too(engine: Engine) -> None:
    with FakeSlack() as slack:
        slack.fail(
            "chat.postMessage",
            lambda b: b.get("channel") == "CGONE",
            status=200,
            body={"ok": False, "error": "is_archived"},
            retry_after=None,
        )
        _owe_post(engine, "CGONE", "AIS.0027", "k-dead")
        with transaction(engine) as session:
            delivery = post("CLATE", SlackMessage(text="late", blocks=[]), "k-late")
            owe(session, [delivery], deadline=timedelta(seconds=-1))
        slack.fail("chat.postMessage", lambda b: b.get("channel") == "CLATE", status=429, retry_after=1)
        sender = _sender(engine, slack)
        sender.drain()
        assert sender.tally.dead == 2
    with session_factory(engine)() as session:
        errors = dict(session.execute(select(OutboxItem.idempotency_key, OutboxItem.last_error)).all())
    assert errors["k-dead"] == "is_archived" and "deadline passed" in str(errors["k-late"])


def test_two_senders_deliver_each_item_exactly_once(engine: Engine) -> None:
    for i in range(40):
        _owe_post(engine, f"CTWO{i % 4}", f"reply {i}", f"k-two-{i}", thread_ts=f"7.{i:06d}")
    with FakeSlack() as slack:
        senders = [_sender(engine, slack, threads=4) for _ in range(2)]
        threads = [threading.Thread(target=s.drain) for s in senders]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        texts = [c.body["text"] for c in slack.find("chat.postMessage") if c.answer.get("ok")]
        assert sorted(texts) == sorted(f"reply {i}" for i in range(40))
        assert sum(s.tally.delivered for s in senders) == 40
    assert set(_statuses(engine)) == {OutboxStatus.DONE}


def test_a_paced_sender_keeps_each_channel_under_its_rate_and_meets_no_429(engine: Engine) -> None:
    for i in range(6):
        _owe_post(engine, f"CPACE{i % 2}", f"paced {i}", f"k-pace-{i}", thread_ts=f"8.{i:06d}")
    with FakeSlack() as slack:
        slack.limit_channels(interval=0.5)
        # Paced a little slower than Slack's limit, as the default is: arrival times jitter.
        sender = _sender(engine, slack, pacer=Pacer({"chat.postMessage": 0.6}))
        started = time.monotonic()
        sender.drain()
        took = time.monotonic() - started
        posts = slack.find("chat.postMessage")
        assert all(c.answered == 200 for c in posts), "pacing met no rate limit"
        assert len(posts) == 6 and 1.1 <= took < 8.0  # 3 per channel, 0.6 s apart, channels in parallel


def test_hwerror_outbox_lists_a_dead_chat_item_and_requeues_it(engine: Engine, db_url: str) -> None:
    from testing.cli import run_cli

    _owe_post(engine, "CARCHIVED", "AIS.0027", "k-cli-dead")
    with FakeSlack() as slack:
        slack.fail(
            "chat.postMessage", status=200, body={"ok": False, "error": "is_archived"}, retry_after=None
        )
        assert _sender(engine, slack).drain().dead == 1
        listed = run_cli("outbox", "--dead", db_url=db_url)
        assert listed.returncode == 0, listed.stderr
        assert (
            "(chat.postMessage, chat, chat.postMessage:CARCHIVED, 1 attempts): is_archived" in listed.stdout
        )
        assert listed.stdout.strip().endswith("1 dead item(s)")
        requeued = run_cli("outbox", "--requeue-dead", db_url=db_url)
        assert requeued.stdout.strip() == "requeued 1 dead item(s)"
        assert _sender(engine, slack).drain().delivered == 1
    assert _statuses(engine) == [OutboxStatus.DONE]


def test_an_item_the_sender_cannot_read_is_dead_at_once_not_retried_for_ever(engine: Engine) -> None:
    from bot.core.outgoing import Delivery

    with transaction(engine) as session:
        owe(session, [Delivery("chat.update", "chat.update:CBROKEN", {"no": "args"}, "k-broken")])
    with FakeSlack() as slack:
        sender = _sender(engine, slack)
        assert sender.drain().dead == 1
        assert not slack.find("chat.update")
    with session_factory(engine)() as session:
        (error,) = session.scalars(select(OutboxItem.last_error))
    assert error is not None and error.startswith("unreadable item: KeyError")
