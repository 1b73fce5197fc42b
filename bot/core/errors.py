"""Problems the person who acted should hear about, raised by the service and answered by each
front end in one place (Slack: one `@app.error` handler; the shell: one `except`)."""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is written for the person who acted; it is shown as it is."""


class EntryGone(UserError):
    def __init__(self, code: str | None = None) -> None:
        what = f"{code} is" if code else "That error is"
        super().__init__(f"{what} no longer in the knowledge base.")


class NotAllowed(UserError):
    pass


class TicketNotFound(UserError, LookupError):
    pass


class BadRequest(UserError, ValueError):
    """What was typed cannot be understood (not a ticket, not a week)."""
