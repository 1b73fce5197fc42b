"""The incident desk: what the service calls after answering, to record and escalate.

It records the findings as incidents, escalates codes the policy says are due and queues the
backend comment for an attach. What it escalated comes back as `Escalated` data; telling people
(an escalation card, a thread reply, a line in the shell) is the front end's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.core.incidents.backends import TicketView
from bot.core.incidents.backends.huaweicloud import console_link
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.enums import EscalationAction
from bot.core.incidents.models import Incident, Ticket
from bot.core.incidents.outbox.queue import enqueue_attached
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import (
    Escalation,
    Sighting,
    escalate_if_due,
    escalation_order,
    record_incidents,
)
from bot.core.incidents.seen import SeenCounts
from bot.core.incidents.ticket_view import ticket_view
from bot.core.incidents.tickets import resolve_ticket
from knowledge.matching.findings import Finding
from knowledge.types import EntryData


@dataclass(frozen=True)
class Escalated:
    """A ticket opened or reopened, to announce once the transaction that made it has committed."""

    view: TicketView
    action: EscalationAction
    sighting: Sighting  # where it tipped over: the thread to reply in
    external_url: str | None = None
    console_url: str | None = None  # a Huawei Cloud console link when no API call makes the case


class IncidentDesk:
    def __init__(
        self, escalation: EscalationSettings, tickets: TicketSettings, seen: SeenCounts | None = None
    ) -> None:
        self.policy = EscalationPolicy.from_settings(escalation)
        self.tickets = tickets
        self.seen = seen

    def record(self, session: Session, sighting: Sighting, findings: Iterable[Finding]) -> list[Escalated]:
        """Record and escalate, in the caller's transaction; returns what to announce."""
        incidents = record_incidents(session, sighting, findings)
        escalated: dict[int, Escalated] = {}
        for i in escalation_order(incidents):
            incident = incidents[i]
            escalation = escalate_if_due(session, incident, self.policy, backend=self.tickets.ticket_backend)
            if escalation is None:
                continue
            if escalation.action is EscalationAction.ATTACHED:
                if self.tickets.ticket_backend != "internal":
                    enqueue_attached(session, escalation.ticket, incident)
                continue
            escalated[i] = self._escalated(session, escalation, sighting)
        return [escalated[i] for i in sorted(escalated)]  # announced in the message's order

    def escalate_now(
        self, session: Session, sighting: Sighting, entry: EntryData, actor: str
    ) -> tuple[Ticket | None, list[Escalated]]:
        """The "Escalate now" button: the code gets its ticket at once, or joins the open one.

        Pressing it is a request (the service keeps it in `escalation_requests`), not a sighting:
        no incident is recorded, so stats, the digest, its chart, the card's "seen in 7 days" and
        the thresholds count exactly what they count without the press. The code's recent
        incidents are linked to the ticket as for any escalation.
        """
        # An unsaved Incident names the code for `escalate_if_due`, which reads its workspace,
        # service, code and variant; it is never added to the session, so it is never stored.
        subject = Incident(
            workspace=sighting.workspace,
            channel=sighting.channel,
            message_key=sighting.message_key,
            source=sighting.source,
            service=entry.service,
            code=entry.code,
            variant=entry.variant,
            known=True,
        )
        escalation = escalate_if_due(
            session,
            subject,
            self.policy,
            backend=self.tickets.ticket_backend,
            force_reason=f"escalated by {actor}",
            actor=actor,
        )
        escalated = []
        if escalation is not None and escalation.action is not EscalationAction.ATTACHED:
            escalated.append(self._escalated(session, escalation, sighting))
        return (escalation.ticket if escalation else None), escalated

    def resolve(
        self, session: Session, ticket_id: int, actor: str, *, workspace: str | None = None
    ) -> Ticket:
        return resolve_ticket(session, ticket_id, actor, workspace=workspace)

    def committed(self) -> None:
        """The caller committed what this desk recorded: cards show the new counts."""
        if self.seen is not None:
            self.seen.invalidate()

    def _escalated(self, session: Session, escalation: Escalation, sighting: Sighting) -> Escalated:
        view = ticket_view(session, escalation.ticket)
        console = None
        if self.tickets.ticket_backend == "huaweicloud" and self.tickets.huaweicloud_ak is None:
            console = console_link(view, self.tickets.huaweicloud_region)
        return Escalated(
            view=view,
            action=escalation.action,
            sighting=sighting,
            external_url=escalation.ticket.external_url,
            console_url=console,
        )
