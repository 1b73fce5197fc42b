"""The statuses and outcomes of incidents, tickets and the outbox. They are StrEnums, so the
database keeps plain strings and a value read back compares equal to its member."""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    """Where a sighting came from."""

    PASTE = "paste"  # a message in a channel
    SHORTCUT = "shortcut"  # the "Explain Huawei error" message shortcut
    COMMAND = "command"  # /hwerror in a channel
    SHELL = "shell"  # the shell adapter
    IMAGE = "image"  # text read off a screenshot (a message's image, the shortcut, the CLI or shell)
    BUTTON = "button"  # "Escalate now": an escalation request, never stored as an incident


class TicketStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class EscalationAction(StrEnum):
    """What recording an incident did to its code's ticket."""

    OPENED = "opened"
    REOPENED = "reopened"
    ATTACHED = "attached"


class OutboxKind(StrEnum):
    """What an outbox item is."""

    TICKET = "ticket"  # a call to the ticket backend
    CHAT = "chat"  # a message (or chart, or Home tab) the chat front end posts
    ANSWER = "answer"  # a request kept before it was acknowledged, still to be answered


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class OutboxOutcome(StrEnum):
    """What one pass did with one outbox item."""

    DONE = "done"
    RETRIED = "retried"
    DEFERRED = "deferred"  # waits for its ticket's create; not an attempt
    DEAD = "dead"
    LOST = "lost"  # the lease ran out before the outcome was written
    GONE = "gone"  # the ticket was deleted, and its items with it


class TicketEventAction(StrEnum):
    """A line of a ticket's history (ticket_events.action)."""

    OPENED = "opened"
    REOPENED = "reopened"
    RESOLVED = "resolved"
