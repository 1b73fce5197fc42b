"""The team-level sub-commands (`/hwerror stats|digest|tickets|resolve`) and what they return.

Every front end parses its text with `parse`, asks the service to run it, and renders the result
with its own renderer for each kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.digest.compute import Digest
from bot.core.incidents.models import Ticket
from bot.core.incidents.tickets import TicketSummary
from bot.core.stats import Stats

NAMES = ("stats", "digest", "tickets", "resolve")
# What typed after /hwerror asks for the usage instead of a lookup.
HELP_WORDS = frozenset({"", "help", "-h", "--help", "?", "usage"})


@dataclass(frozen=True)
class TeamCommand:
    name: str  # one of NAMES
    arg: str


@dataclass(frozen=True)
class TicketList:
    open: list[TicketSummary]


@dataclass(frozen=True)
class Resolved:
    ticket: Ticket


TeamResult = Stats | Digest | TicketList | Resolved


def parse(text: str) -> TeamCommand | None:
    """`stats AIS.0027` → TeamCommand("stats", "AIS.0027"); anything else is a lookup: None."""
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    return TeamCommand(word, rest.strip()) if word in NAMES else None
