"""Render remedy cards and tables for a terminal with Rich."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.cards import RemedyCard
from knowledge.models import Entry


def card_panel(card: RemedyCard) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    grid.add_column()
    grid.add_row("Service", escape(card.service))
    grid.add_row("HTTP status", str(card.status) if card.status is not None else "-")
    grid.add_row("What it means", escape(card.description))
    grid.add_row("What to do", escape(card.handling or "-"))
    grid.add_row("Who acts", card.who_acts.label)
    if card.doc_url:
        grid.add_row("Docs", escape(card.doc_url))
    parts: list[Table | Text] = [grid]
    if card.notes:
        notes = Table.grid(padding=(0, 1))
        notes.add_column(style="dim", no_wrap=True)
        notes.add_column()
        for note in card.notes:
            notes.add_row(f"{note.author}, {note.at:%Y-%m-%d}", escape(note.text))
        parts.extend([Text("Team notes", style="bold cyan"), notes])
    title = f"[bold]{escape(card.code)}[/bold]  {escape(card.message.splitlines()[0])}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="red")


def entries_table(entries: Iterable[Entry]) -> Table:
    table = Table(show_lines=False)
    table.add_column("Service", no_wrap=True)
    table.add_column("Code", no_wrap=True, style="bold")
    table.add_column("#", justify="right")
    table.add_column("Status", justify="right")
    table.add_column("Error message", overflow="fold")
    table.add_column("Who acts", no_wrap=True)
    for e in entries:
        table.add_row(
            escape(e.service),
            escape(e.code),
            str(e.variant),
            str(e.status or ""),
            escape(e.message.splitlines()[0] if e.message else ""),
            e.who_acts,
        )
    return table
