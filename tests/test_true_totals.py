"""Lists that show a part say how much there is: open tickets (Slack, App Home, the shell, the
CLI) and a card's team notes."""

from __future__ import annotations

import json
from datetime import timedelta

from rich.console import Console
from sqlalchemy import Engine

from bot.config import Settings
from bot.core.actor import Actor
from bot.core.build import AppSettings, build_service
from bot.core.cards import RemedyCard
from bot.core.digest.config import DigestSettings
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.shell.render import card_panel
from bot.shell.render_team import tickets_panel
from bot.slack.blocks.card import card_blocks
from bot.slack.blocks.home import home_view
from bot.slack.blocks.tickets import tickets_message
from knowledge.clock import utcnow
from knowledge.db import transaction
from testing.cli import run_cli
from testing.factories import ticket


def _service(engine: Engine):  # type: ignore[no-untyped-def]
    settings = AppSettings(Settings(), EscalationSettings(), TicketSettings(), DigestSettings())
    return build_service(engine, settings, seen_ttl=None, batch_gaps=False)


def _text(renderable: object) -> str:
    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def test_187_open_tickets_are_counted_as_187_everywhere(kb: Engine, db_url: str) -> None:
    now = utcnow()
    with transaction(kb) as session:
        for n in range(187):
            session.add(ticket(f"X.{n:04d}", opened_at=now - timedelta(minutes=n)))
    service = _service(kb)
    with service.sessions() as session:
        listed = service.ticket_list(session)
        home = service.home(session)
    assert (len(listed.open), listed.count, listed.more) == (50, 187, 137)
    slack = json.dumps(tickets_message(listed.open, listed.count).blocks)
    assert "Open tickets (187)" in slack and "and 167 more" in slack
    tab = json.dumps(home_view(home.digest, home.open_tickets, home.open_total)["blocks"])
    assert "*187* open ticket(s)" in tab and "more: `/hwerror tickets`" in tab
    shell = _text(tickets_panel(listed))
    assert "Open tickets (187)" in shell and "and 137 more" in shell
    cli = run_cli("tickets", "list", db_url=db_url)
    assert cli.returncode == 0, cli.stderr
    assert "50 of 187 open tickets, newest first (--limit 187 for all)" in cli.stdout


def test_a_card_shows_the_newest_three_notes_and_says_how_many_more(kb: Engine) -> None:
    service = _service(kb)
    admin = Actor(user_id="U1", team_id="T1", name="u1")
    with service.sessions() as session:
        card = service.lookup(session, "AIS.0027").cards[0]
        assert isinstance(card, RemedyCard)
        for n in range(1, 6):
            card = service.add_note(session, card.key, admin, f"note number {n}")
    assert [n.text for n in card.newest_notes] == ["note number 5", "note number 4", "note number 3"]
    assert card.more_notes == 2
    slack = json.dumps([b.to_dict() for b in card_blocks(card, 0, ephemeral=True)])
    assert "note number 5" in slack and "note number 2" not in slack and "and 2 more" in slack
    shell = _text(card_panel(card))
    assert "note number 3" in shell and "note number 1" not in shell and "and 2 more" in shell
    every = _text(card_panel(card, all_notes=True))
    assert all(f"note number {n}" in every for n in range(1, 6)) and "more" not in every
