"""The team-level sub-commands (`/hwerror stats|digest|tickets|resolve`) and what they return.

Every front end parses its text with `parse`, asks the service to run it, and renders the result
with its own renderer for each kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.channels import ChannelSetting
from bot.core.digest.compute import Digest
from bot.core.incidents.models import Ticket
from bot.core.incidents.tickets import TicketSummary
from bot.core.stats import Stats

NAMES = ("stats", "digest", "tickets", "resolve", "channel")
WRITING_COMMANDS = frozenset({"resolve", "channel"})  # the others only read (channel may write)
# What typed after /hwerror asks for the usage instead of a lookup.
HELP_WORDS = frozenset({"", "help", "-h", "--help", "?", "usage"})


@dataclass(frozen=True)
class TeamCommand:
    name: str  # one of NAMES
    arg: str
    channel: str | None = None  # where it was typed (`channel` acts on that channel)


@dataclass(frozen=True)
class TicketList:
    """The newest open tickets, and how many are open in all (`open` may be fewer)."""

    open: list[TicketSummary]
    total: int = -1  # -1: as many as `open` holds

    @property
    def count(self) -> int:
        return self.total if self.total >= 0 else len(self.open)

    @property
    def more(self) -> int:
        """Open tickets not in `open`: "and 137 more"."""
        return max(0, self.count - len(self.open))


@dataclass(frozen=True)
class Resolved:
    ticket: Ticket


TeamResult = Stats | Digest | TicketList | Resolved | ChannelSetting


def parse(text: str, channel: str | None = None) -> TeamCommand | None:
    """`stats AIS.0027` → TeamCommand("stats", "AIS.0027"); anything else is a lookup: None.
    `channel`: the channel it was typed in."""
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    return TeamCommand(word, rest.strip(), channel) if word in NAMES else None
