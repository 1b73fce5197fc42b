"""The one pipeline (text → findings → cards) and the bot's records, on both databases."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import DefaultListenerCompletionHandler
from sqlalchemy import Engine, func, select, text

from bot.core.build import AppSettings, build_service
from bot.core.cards import CardNote, Choice, RemedyCard, UnknownCard
from bot.core.models import AnsweredMessage, FeedbackVote, KnowledgeGap
from bot.core.pipeline import Pipeline, Reply
from bot.core.service import BotService
from bot.core.store import MessageRef, claim_codes, record_gap, record_vote
from bot.slack.blocks.reply import reply_message
from bot.slack.blocks.text import escape
from bot.slack.middleware import CloseSession
from knowledge.bundled import load_bundled
from knowledge.catalogue import Catalogue
from knowledge.db import session_factory, transaction
from knowledge.store import add_note, get_entry
from knowledge.types import EntryData, WhoActs
from testing.answer import answer
from testing.slack.blocks import assert_block_kit_limits, assert_inert

ERROR = '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}'


def _pipeline(engine: Engine) -> Pipeline:
    with transaction(engine) as session:
        load_bundled(session)
    return Pipeline(Catalogue(engine).matcher)


def _service(engine: Engine) -> BotService:
    with transaction(engine) as session:
        load_bundled(session)
    return build_service(engine, AppSettings.from_env(), seen_ttl=None, batch_gaps=False)


def test_lookup_gives_the_card_with_its_team_notes(engine: Engine) -> None:
    pipeline = _pipeline(engine)
    with transaction(engine) as session:
        entry = get_entry(session, "content-moderation", "AIS.0027")
        assert entry is not None
        add_note(session, entry, "Billing resets at midnight UTC.", author="bob (U2)")
    with session_factory(engine)() as session:
        reply = pipeline.lookup(session, "ais 27")
    [card] = reply.cards
    assert isinstance(card, RemedyCard) and card.code == "AIS.0027" and card.confident
    assert card.entry.who_acts == WhoActs.ACCOUNT_BILLING and card.entry_id == entry.id
    assert [(n.text, n.author) for n in card.notes] == [("Billing resets at midnight UTC.", "bob (U2)")]
    assert card.seen_7d is None and card.ticket is None  # nothing shown until incidents count them


def test_unknown_codes_are_gaps_counted_each_time_they_are_remembered(engine: Engine) -> None:
    service = _service(engine)
    for _ in range(3):
        with session_factory(engine)() as session:
            reply = service.lookup(session, "AIS.0999")
            assert isinstance(reply.cards[0], UnknownCard) and reply.gaps == ("AIS.0999",)
            assert reply.cards[0].candidates
            service.record(session, reply, None)
    with session_factory(engine)() as session:
        gap = session.scalars(select(KnowledgeGap)).one()
    assert (gap.code, gap.count) == ("AIS.0999", 3) and gap.first_seen <= gap.last_seen


def test_a_message_is_answered_once_and_an_edit_only_for_its_new_codes(engine: Engine) -> None:
    service = _service(engine)
    ref = MessageRef(channel="C1", ts="1.1", thread_ts="1.1", author="U1")
    with session_factory(engine)() as session:
        first = answer(service, session, ERROR, ref)
        again = answer(service, session, ERROR, ref)
        edited = answer(service, session, ERROR + " then AIS.0027", ref)
        quiet = answer(service, session, "deployed 1.2.3 at 10:30", MessageRef("C1", "1.2", "1.2"))
    assert first is not None and [c.code for c in first.cards] == ["AIS.0005"]
    assert again is None and quiet is None
    assert edited is not None and [c.code for c in edited.cards] == ["AIS.0027"]


def test_racing_workers_answer_a_message_exactly_once(engine: Engine) -> None:
    service = _service(engine)
    ref = MessageRef(channel="C2", ts="2.1", thread_ts="2.1", author="U1")
    results: list[Reply | None] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        with session_factory(engine)() as session:
            barrier.wait()
            results.append(answer(service, session, ERROR, ref))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([r for r in results if r is not None]) == 1
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AnsweredMessage)) == 1


def test_claims_and_gaps_are_unique_rows_even_when_inserted_twice(engine: Engine) -> None:
    ref = MessageRef(channel="C3", ts="3.1", thread_ts="3.1")
    with session_factory(engine)() as s1, session_factory(engine)() as s2:
        assert claim_codes(s1, ref, ["A.0001", "B.0002"]) == ["A.0001", "B.0002"]
        s1.commit()  # claims are the caller's transaction's: a second caller sees them once committed
        assert claim_codes(s2, ref, ["B.0002", "C.0003"]) == ["C.0003"]
        s2.commit()
        record_gap(s1, "Z.0001")
        s1.commit()  # the caller's unit of work commits; record_gap never does
        record_gap(s2, "Z.0001")
        s2.commit()
        assert s1.scalar(select(KnowledgeGap.count)) == 2


def test_one_vote_per_person_per_card(engine: Engine) -> None:
    _pipeline(engine)
    with session_factory(engine)() as session:
        entry = get_entry(session, "content-moderation", "AIS.0005")
        assert entry is not None
        record_vote(session, entry.id, "U1", True)
        record_vote(session, entry.id, "U1", True)
        tally = record_vote(session, entry.id, "U1", False)
        assert (tally.helpful, tally.not_helpful) == (0, 1)
        tally = record_vote(session, entry.id, "U2", True)
        assert (tally.helpful, tally.not_helpful) == (1, 1)
        assert session.scalar(select(func.count()).select_from(FeedbackVote)) == 2


def test_the_listener_session_is_closed_when_the_listener_finishes(engine: Engine) -> None:
    session = session_factory(engine)()
    session.execute(text("SELECT 1"))
    assert session.in_transaction()
    request = BoltRequest(body={"type": "block_actions"}, mode="socket_mode")
    request.context["session"] = session
    CloseSession(DefaultListenerCompletionHandler(logger=__import__("logging").getLogger())).handle(
        request, BoltResponse(status=200)
    )
    assert not session.in_transaction()


# -- rendering, without a database ------------------------------------------------------------------


def _huge_card(code: str) -> RemedyCard:
    long = "<!channel> " + "x" * 5000
    entry = EntryData(
        service="content-moderation",
        code=code,
        variant=0,
        status=400,
        message=long,
        description=long,
        handling=long,
        doc_url="https://support.huaweicloud.com/x?a=1&b=2",
    )
    return RemedyCard(
        entry,
        notes=tuple(CardNote(long, "<@U1>", datetime(2024, 1, 1, tzinfo=UTC)) for _ in range(20)),
        confident=False,
        alternatives=tuple(Choice("s", f"ALT.{i:04d}", 0, long) for i in range(5)),
        request_id="<!here>" * 100,
    )


def test_the_largest_reply_stays_within_block_kit_limits_and_inert() -> None:
    cards = tuple(_huge_card(f"AIS.{i:04d}") for i in range(5))
    reply = Reply(cards=cards, more=tuple(f"AIS.{i:04d}" for i in range(5, 30)))
    for ephemeral in (True, False):
        message = reply_message(reply, ephemeral=ephemeral, thread_ts="1.2")
        body = {"text": message.text, "blocks": message.blocks}
        assert_block_kit_limits(body)
        assert_inert(body)
        assert "AIS.0029" in str(body["blocks"][-1])


def test_escape_neutralises_slack_markup() -> None:
    assert (
        escape("<!channel> & <@U1> <https://x|y>") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;"
    )


def test_cards_are_cached_and_notice_changes_from_elsewhere(engine: Engine) -> None:
    from bot.core.card_cache import CardCache

    _pipeline(engine)
    cache = CardCache(check_every=0.2)
    key = ("content-moderation", "AIS.0027", 0)
    with session_factory(engine)() as session:
        assert cache.cards(session, [key])[key].notes == ()
        with transaction(engine) as other:  # another process adds a note
            entry = get_entry(other, *key)
            assert entry is not None
            add_note(other, entry, "Seen after the billing migration.", author="dan (U4)")
        assert cache.cards(session, [key])[key].notes == ()  # still cached
        time.sleep(0.25)
        notes = cache.cards(session, [key])[key].notes
        assert [n.text for n in notes] == ["Seen after the billing migration."]
        assert not session.in_transaction()


def test_gaps_recorded_behind_the_answer_are_counted_exactly(engine: Engine) -> None:
    from bot.core.gaps import GapRecorder

    recorder = GapRecorder(session_factory(engine), interval=60)
    for _ in range(5):
        recorder.add(["Q.0001", "Q.0002", "Q.0001"])
    recorder.flush()
    recorder.add(["Q.0001"])
    recorder.flush()
    with engine.connect() as conn:
        counts = dict(conn.execute(select(KnowledgeGap.code, KnowledgeGap.count)).all())
    assert counts == {"Q.0001": 11, "Q.0002": 5}
