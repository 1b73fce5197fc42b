"""`hwerror clock`: the Procfile's clock process (weekly digest + ticket outbox), until stopped."""

from __future__ import annotations

import logging
import threading

import typer

from bot.cli.common import console, engine_for_cli, process_settings


def register(app: typer.Typer) -> None:
    @app.command("clock")
    def clock_command() -> None:
        """Post the digest on schedule and deliver the outbox.

        Posts the weekly digest at HWERROR_DIGEST_SCHEDULE and makes the ticket backend calls,
        until stopped (the Procfile's clock process).
        """
        from bot.cli.digest import load_digest_settings
        from bot.cli.outbox import build_worker, load_settings, run_until_signalled
        from bot.core.digest.clock import DigestClock
        from bot.slack.client import sender_client
        from bot.slack.digest import SlackDigestPublisher
        from bot.slack.runtime.sender import ChatSender

        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        tickets = load_settings()
        digest = load_digest_settings()
        slack = process_settings()
        with engine_for_cli() as engine:
            stop = threading.Event()
            if slack.slack_bot_token:
                # Whatever the chat owes (the digest, replies no serving process took) is sent from here too.
                sender = ChatSender(engine, sender_client(slack), poll=slack.hwerror_outbox_poll)
                threading.Thread(target=sender.run_forever, args=(stop,), daemon=True, name="sender").start()
            if digest.digest_channel and slack.slack_bot_token:
                publisher = SlackDigestPublisher(engine, digest.digest_channel)
                clock = DigestClock(engine, publisher, digest)
                threading.Thread(target=clock.run_forever, args=(stop,), daemon=True, name="digest").start()
                console.print(
                    f"clock: digest to {digest.digest_channel} every {digest.digest_schedule} "
                    f"({digest.timezone})",
                    highlight=False,
                )
            else:
                console.print(
                    "clock: no digest (set HWERROR_DIGEST_CHANNEL and SLACK_BOT_TOKEN)", highlight=False
                )
            worker = build_worker(tickets, engine)
            try:
                run_until_signalled(worker, tickets.outbox_poll_interval.total_seconds())
            finally:
                stop.set()
