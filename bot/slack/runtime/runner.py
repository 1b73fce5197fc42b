"""The runtime of one serving process: its answer workers and chat sender, started together and
stopped together, and the executor that gives commands, interactions and events capacity of
their own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.config import Settings
from bot.core.build import AppSettings
from bot.core.service import BotService
from bot.slack.gate import request_kind
from bot.slack.runtime.answers import AnswerWorker
from bot.slack.runtime.outgoing import POST, SlackOutgoing
from bot.slack.runtime.pacing import Pacer
from bot.slack.runtime.sender import ChatSender


class Runtime:
    def __init__(
        self,
        engine: Engine,
        service: BotService,
        settings: AppSettings,
        client: WebClient,
        sender_client: WebClient,
    ) -> None:
        process = settings.process
        lease = timedelta(seconds=process.hwerror_lease_seconds)
        self.outgoing = SlackOutgoing(settings.escalation.escalation_channel, settings.digest.digest_channel)
        self.sender = ChatSender(
            engine,
            sender_client,
            threads=process.hwerror_sender_threads,
            lease=lease,
            pacer=Pacer({POST: process.hwerror_channel_interval}),
            poll=process.hwerror_outbox_poll,
        )
        self.answers = AnswerWorker(
            engine,
            service,
            settings,
            client,
            self.outgoing,
            answered=self.sender.wake,
            threads=process.hwerror_answer_threads,
            lease=lease,
            poll=process.hwerror_outbox_poll,
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for name, loop in (
            ("hwerror-answers", self.answers.run_forever),
            ("hwerror-sender", self.sender.run_forever),
        ):
            thread = threading.Thread(target=loop, args=(self._stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.answers.wake()
        self.sender.wake()
        for thread in self._threads:
            thread.join(timeout)


_current = threading.local()

# Request kinds (bot.slack.gate.request_kind) and the pool that runs their listeners.
POOL_OF = {"command": "command", "event_callback": "event"}


class KindOfRequest(Middleware):
    """Notes the request's kind on the thread that dispatches it, for `SeparateCapacity`."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        _current.kind = POOL_OF.get(request_kind(req.body), "interaction")
        try:
            return next()
        finally:
            _current.kind = None


class SeparateCapacity(Executor):
    """Bolt's listener executor, split: a listener runs on the pool of its request's kind, so a
    burst of one kind (or a slow Web API call in one) never starves the others."""

    def __init__(self, process: Settings) -> None:
        sizes = {
            "command": process.hwerror_command_threads,
            "interaction": process.hwerror_interaction_threads,
            "event": process.hwerror_event_threads,
        }
        self.pools = {k: ThreadPoolExecutor(n, thread_name_prefix=f"hwerror-{k}") for k, n in sizes.items()}

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        pool = self.pools.get(getattr(_current, "kind", None) or "interaction", self.pools["interaction"])
        return pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
