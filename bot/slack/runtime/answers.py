"""The answer workers: kept messages answered off the request's thread.

Each kept message is claimed for a lease, its cut-off snippets read, and then answered in one
transaction (`BotService.answer`): the codes' claims, the reply owed to the thread, gaps,
incidents, escalation notices, and the item marked done. A failure rolls all of it back, the
claims with it, and the item is tried again after a backoff; a process killed mid-answer loses
nothing: its lease runs out and another worker takes the item.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.core.actor import Actor
from bot.core.build import AppSettings
from bot.core.incidents.enums import OutboxKind, OutboxStatus, Source
from bot.core.incidents.outbox import lease as leases
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.record import Sighting
from bot.core.incidents.ticket_view import as_utc
from bot.core.outgoing import Outgoing
from bot.core.service import BotService
from bot.core.store import MessageRef, bot_messages_answered
from bot.slack.files import snippet_texts
from bot.slack.images import image_files, image_texts, with_images
from knowledge.clock import utcnow
from knowledge.db import session_factory

log = logging.getLogger("hwerror.answers")


class AnswerWorker:
    def __init__(
        self,
        engine: Engine,
        service: BotService,
        settings: AppSettings,
        client: WebClient,
        outgoing: Outgoing,
        *,
        answered: Callable[[], None] = lambda: None,
        threads: int = 4,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 8,
        poll: float = 0.5,
    ) -> None:
        self.sessions = session_factory(engine)
        self.service = service
        self.settings = settings
        self.client = client
        self.outgoing = outgoing
        self.answered = answered  # wakes the chat sender
        self.threads = max(1, threads)
        self.lease = lease
        self.max_attempts = max_attempts
        self.backoff = Backoff(base=timedelta(seconds=2), cap=timedelta(minutes=5))
        self.poll = poll
        self._wake = threading.Event()
        self._busy = threading.Semaphore(self.threads)
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="hwerror-answer")

    def wake(self) -> None:
        self._wake.set()

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                while self.dispatch():
                    pass
                if len(self.service.held):
                    self._record_held()
            except DBAPIError as exc:
                log.error(
                    "answer workers: database unavailable, trying again: %s", type(exc.orig or exc).__name__
                )
                stop.wait(1.0)
            except Exception:  # noqa: BLE001 - the loop must outlive a bug in one pass
                log.exception("answer workers: pass failed")
                stop.wait(1.0)
            self._wake.wait(self.poll)
            self._wake.clear()
        self._pool.shutdown(wait=True)

    def _record_held(self) -> None:
        """Sightings of lookups answered while the database was away: recorded now it is back."""
        with self.service.sessions() as session:
            recorded = self.service.record_held(session, self.outgoing)
        if recorded:
            log.info("recorded %s sighting(s) held while the database was away", recorded)
            self.answered()

    def dispatch(self) -> int:
        """Claim as many kept messages as there are free workers and start on them."""
        free = 0
        while free < self.threads and self._busy.acquire(blocking=False):
            free += 1
        if not free:
            return 0
        try:
            with self.sessions() as session, session.begin():
                won, token = leases.claim_items(session, OutboxKind.ANSWER, utcnow(), self.lease, limit=free)
        except BaseException:
            for _ in range(free):
                self._busy.release()
            raise
        for _ in range(free - len(won)):
            self._busy.release()
        for item in won:
            self._pool.submit(self._run, item, token)
        return len(won)

    def _run(self, item: leases.Claimed, token: datetime) -> None:
        item_id = item.id
        try:
            self.process(item, token)
        except DBAPIError as exc:  # the lease runs out and another try follows
            log.warning(
                "kept message %s: database unavailable (%s); it is taken up again later", item_id, _why(exc)
            )
        except Exception:  # noqa: BLE001 - logged; the lease runs out and another try follows
            log.exception("kept message %s: answering failed unexpectedly", item_id)
        finally:
            self._busy.release()

    def process(self, item: leases.Claimed, token: datetime) -> None:
        item_id, payload, attempts, deadline = item.id, item.payload, item.attempts, item.deadline
        session = self.service.sessions()
        try:
            reply = self._answer(session, item_id, token, payload, attempts)
        except Exception as exc:  # noqa: BLE001 - every failure is retried, the claims given back
            session.rollback()
            self._retry(item_id, token, attempts, deadline, exc)
            return
        finally:
            session.close()
        if reply is not None and not reply.empty:
            self.answered()

    def _answer(
        self, session: Session, item_id: int, token: datetime, p: dict[str, Any], attempts: int
    ) -> Any:
        def settle(s: Session) -> bool:
            return leases.settle(
                s, item_id, token, status=OutboxStatus.DONE, attempts=attempts + 1, done_at=utcnow()
            )

        limit = self.settings.process.hwerror_bot_replies_per_minute
        if (
            p.get("bot_id")
            and bot_messages_answered(session, p["channel"], p["bot_id"], timedelta(minutes=1)) >= limit
        ):
            settle(session)  # a bot talking too much: not answered (a guard against bot loops)
            session.commit()
            return None
        if p.get("bot_id") and p.get("in_thread"):
            settle(session)  # a bot talking in a thread: possibly to us
            session.commit()
            return None
        # No transaction is held while the files are read and the channel's hints are looked up
        # (on SQLite an open one would hold the write lock those reads wait for).
        session.commit()
        text, clear = p.get("text") or "", None
        if p.get("files"):
            kept = {"files": p["files"]}
            extra = snippet_texts(kept, self.client)
            text = "\n".join([text, *extra]) if extra else text
            if image_files(kept):  # screenshots: OCR in the reader's pool, read strictly (`clear`)
                limit = self.settings.process.hwerror_ocr_max_bytes
                text, clear = with_images(
                    text, image_texts(kept, self.client, self.service.read_image, limit)
                )
        ref = MessageRef(
            channel=p["channel"],
            ts=p["ts"],
            thread_ts=p["thread_ts"],
            author=p.get("bot_id") or p.get("user"),
        )
        where = Sighting(
            workspace=p.get("team") or "",
            channel=p["channel"],
            message_key=p["ts"],
            source=Source.PASTE,
            text=text,
            thread_ts=p["thread_ts"],
            user_id=p.get("bot_id") or p.get("user"),
        )
        return self.service.answer(
            session,
            text,
            ref,
            where if clear is None else replace(where, source=Source.IMAGE),
            self.outgoing,
            self._actor(p),
            public=bool(p.get("shared")),
            clear=clear,
            settle=settle,
        )

    def _actor(self, p: dict[str, Any]) -> Actor:
        a = p.get("actor") or {}
        process = self.settings.process
        return Actor(
            user_id=a.get("user_id"),
            team_id=a.get("team_id"),
            name=a.get("name") or "",
            admins=process.admins,
            responders=process.responders,
            workspace=a.get("workspace"),
            external=bool(a.get("external")),
            external_access=process.hwerror_external,
        )

    def _retry(
        self, item_id: int, token: datetime, attempts: int, deadline: datetime | None, exc: Exception
    ) -> None:
        attempts += 1
        lines = str(getattr(exc, "orig", None) or exc).splitlines()
        error = f"{type(exc).__name__}: {lines[0][:300] if lines else ''}"
        now = utcnow()
        wait = self.backoff.delay(attempts, random.random())
        give_up = attempts >= self.max_attempts or (
            deadline is not None and as_utc(now + wait) > as_utc(deadline)
        )
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if give_up:
            values["status"] = OutboxStatus.DEAD
        else:
            values["next_attempt_at"] = now + wait
        try:
            with self.sessions() as session, session.begin():
                leases.settle(session, item_id, token, **values)
        except DBAPIError:
            pass  # the lease runs out and the item is tried again
        log.warning(
            "kept message %s: attempt %s failed (%s)%s",
            item_id,
            attempts,
            error,
            "; it is dead" if give_up else f"; next in {wait.total_seconds():.0f} s",
        )


def _why(exc: DBAPIError) -> str:
    return (str(exc.orig or exc).splitlines() or [""])[0][:200]
