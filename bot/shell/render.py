"""The shell's renderer for cards and the catalogue (Rich); team results are in `render_team`."""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.cards import Card, Choice, ChoiceCard, RemedyCard, UnknownCard
from knowledge.models import Entry
from knowledge.types import WhoActs


def card_panel(card: RemedyCard, number: int | None = None, *, all_notes: bool = False) -> Panel:
    """`all_notes`: every team note, oldest first (`kb show`); a card shows the newest few."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", no_wrap=True)
    # fold: a long word (a docs URL) breaks onto the next line instead of ending in "…".
    grid.add_column(overflow="fold")
    grid.add_row("Service", escape(card.service))
    grid.add_row("HTTP status", str(card.entry.status) if card.entry.status is not None else "-")
    grid.add_row("What it means", escape(card.entry.description))
    grid.add_row("What to do", escape(card.entry.handling or "-"))
    grid.add_row("Who acts", card.entry.who_acts.label)
    if card.entry.doc_url:
        # A terminal hyperlink as well: clickable whole even where the terminal folds it.
        grid.add_row("Docs", Text(card.entry.doc_url, style=f"link {card.entry.doc_url}"))
    if card.seen_7d is not None:
        grid.add_row("Seen (7 days)", str(card.seen_7d))
    if card.ticket is not None:
        grid.add_row("Ticket", escape(card.ticket))
    if card.request_id:
        grid.add_row("Request ID", escape(card.request_id))
    t = card.tally
    if t.helpful or t.not_helpful or t.escalations:
        grid.add_row(
            "Feedback",
            f"{t.helpful} helpful, {t.not_helpful} not helpful"
            + (f", {t.escalations} escalation request(s)" if t.escalations else ""),
        )
    parts: list[Table | Text] = [grid]
    if card.notes:
        notes = Table.grid(padding=(0, 1))
        notes.add_column(style="dim", no_wrap=True)
        notes.add_column(overflow="fold")
        for note in card.notes if all_notes else card.newest_notes:
            notes.add_row(f"{note.author}, {note.at:%Y-%m-%d}", escape(note.text))
        parts.extend([Text("Team notes", style="bold cyan"), notes])
        if card.more_notes and not all_notes:
            parts.append(Text(f"and {card.more_notes} more: hwerror kb show {card.code}", style="dim"))
    if not card.confident:
        unsure = "Not sure this is the error you meant." + (" Did you mean:" if card.alternatives else "")
        parts.append(Text(unsure, style="yellow"))
        if card.alternatives:
            parts.append(_choices(card.alternatives))
    elif card.open_services:
        parts.append(
            Text(
                f"In several services ({', '.join(card.open_services)}); nothing says which:", style="yellow"
            )
        )
        parts.append(_choices(card.alternatives))
    if card.variant_number is not None:
        parts += _variants(card)
    first = card.entry.message.splitlines()[0] if card.entry.message.strip() else ""
    title = f"{_number(number)}[bold]{escape(card.code)}[/bold]  {escape(first)}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="red")


def _number(number: int | None) -> str:
    return f"[dim]\\[{number}][/dim] " if number is not None else ""


def _choices(choices: tuple[Choice, ...]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for c in choices:
        first = c.message.splitlines()[0] if c.message.strip() else ""
        table.add_row(escape(c.code), escape(first))
    return table


def _variants(card: RemedyCard) -> list[Table | Text]:
    """ "2 of 8 variants" and each of them, this one marked (`kb show CODE` has them in full)."""
    head = f"{card.variant_number} of {len(card.variants)} variants (hwerror kb show {card.code}):"
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    for n, c in enumerate(card.variants, 1):
        mark = "→" if c.key == card.key else " "
        first = c.message.splitlines()[0] if c.message.strip() else ""
        table.add_row(f"{mark}{n}.", escape(c.service), str(c.status or ""), escape(first))
    return [Text(head, style="bold cyan"), table]


def unknown_panel(card: UnknownCard, number: int | None = None) -> Panel:
    parts: list[Table | Text] = [Text("Not in the knowledge base yet; recorded as a knowledge gap.")]
    if card.message:
        parts.append(Text(card.message, style="italic"))
    if card.candidates:
        parts += [Text("Close matches:", style="bold cyan"), _choices(card.candidates)]
    status = f"  HTTP {card.status}" if card.status else ""
    title = f"{_number(number)}[bold]{escape(card.code)}[/bold]{status}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="yellow")


def choice_panel(card: ChoiceCard, number: int | None = None) -> Panel:
    parts: list[Table | Text] = [Text("Could be any of these:"), _choices(card.candidates)]
    title = f"{_number(number)}[bold]{escape(card.code)}[/bold]"
    return Panel(Group(*parts), title=title, title_align="left", border_style="yellow")


def any_panel(card: Card, number: int | None = None) -> Panel:
    if isinstance(card, RemedyCard):
        return card_panel(card, number)
    if isinstance(card, UnknownCard):
        return unknown_panel(card, number)
    return choice_panel(card, number)


def _who_acts(value: str) -> str:
    try:
        return WhoActs(value).label
    except ValueError:
        return escape(value)


def entries_table(entries: Iterable[Entry]) -> Table:
    """The catalogue, readable at 80 columns: the message gets the room (it wraps at spaces), the
    service is a column only when several are listed, and "Who acts" reads as it does on cards."""
    rows = list(entries)
    several = len({e.service for e in rows}) > 1
    table = Table(show_lines=False, box=box.SIMPLE_HEAD, pad_edge=False)
    if several:
        table.add_column("Service", overflow="fold", max_width=16)
    table.add_column("Code", no_wrap=True, style="bold")
    table.add_column("HTTP", justify="right", no_wrap=True)
    table.add_column("Error message", ratio=3, min_width=24)
    table.add_column("Who acts", ratio=1, min_width=12)
    for e in rows:
        code = escape(e.code) + (f" #{e.variant}" if e.variant else "")
        cells = [
            code,
            str(e.status or ""),
            escape(e.message.splitlines()[0] if e.message else ""),
            _who_acts(e.who_acts),
        ]
        table.add_row(*([escape(e.service)] if several else []), *cells)
    if not several and rows:
        table.title = f"Service: {rows[0].service}"
        table.title_justify = "left"
    return table
