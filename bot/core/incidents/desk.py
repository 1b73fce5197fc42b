"""The incident desk: what every front end calls after answering, to record and escalate.

It records the findings as incidents, escalates codes the policy says are due, queues the
backend comment for an attach, and afterwards announces escalations in Slack: a card in the
escalation channel and a reply in the thread that tipped the code over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.incidents.backends.huaweicloud import console_link
from bot.core.incidents.config import EscalationSettings, TicketSettings
from bot.core.incidents.enums import EscalationAction
from bot.core.incidents.models import Incident, Ticket
from bot.core.incidents.outbox.queue import enqueue_attached
from bot.core.incidents.policy import EscalationPolicy
from bot.core.incidents.record import Escalation, Sighting, escalate_if_due, record_incidents
from bot.core.incidents.seen import SeenCounts
from bot.core.incidents.ticket_view import ticket_view
from bot.core.incidents.tickets import resolve_ticket
from bot.slack.blocks.team import escalation_message, thread_notice
from knowledge.matching.findings import Finding
from knowledge.types import EntryData

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """An escalation to tell Slack about, once the transaction that made it has committed."""

    escalation_message: dict[str, object]
    thread_message: dict[str, object] | None
    channel: str | None  # where the sighting was, for the thread reply
    thread_ts: str | None


class IncidentDesk:
    def __init__(self, escalation: EscalationSettings, tickets: TicketSettings,
                 seen: SeenCounts | None = None) -> None:
        self.policy = EscalationPolicy.from_settings(escalation)
        self.escalation_channel = escalation.escalation_channel
        self.tickets = tickets
        self.seen = seen

    # -- recording -------------------------------------------------------------------------------

    def record(
        self, session: Session, sighting: Sighting, findings: Iterable[Finding]
    ) -> list[Announcement]:
        """Record and escalate; commits. Returns what to announce (see `announce`)."""
        announcements = []
        for incident in record_incidents(session, sighting, findings):
            escalation = escalate_if_due(session, incident, self.policy, backend=self.tickets.ticket_backend)
            if escalation is None:
                continue
            if escalation.action is EscalationAction.ATTACHED:
                if self.tickets.ticket_backend != "internal":
                    enqueue_attached(session, escalation.ticket, incident)
                continue
            announcements.append(self._announcement(session, escalation, sighting))
        session.commit()
        if self.seen is not None:
            self.seen.invalidate()
        return announcements

    def escalate_now(self, session: Session, sighting: Sighting, entry: EntryData,
                     actor: str) -> tuple[Ticket | None, list[Announcement]]:
        """The "Escalate now" button: the incident is recorded and its code escalated at once."""
        finding = Finding(code=entry.code, service=entry.service, entry=entry, known=True, confident=True,
                          score=1.0, candidates=(), how="escalate-now")
        record_incidents(session, sighting, [finding])
        incident = session.scalars(
            select(Incident).where(
                Incident.workspace == sighting.workspace,
                Incident.channel == sighting.channel,
                Incident.message_key == sighting.message_key,
                Incident.code == finding.code,
            )
        ).one_or_none()
        if incident is None or not incident.known:
            session.commit()
            return None, []
        escalation = escalate_if_due(session, incident, self.policy, backend=self.tickets.ticket_backend,
                                     force_reason=f"escalated by {actor}", actor=actor)
        announcements = []
        if escalation is not None and escalation.action is not EscalationAction.ATTACHED:
            announcements.append(self._announcement(session, escalation, sighting))
        session.commit()
        if self.seen is not None:
            self.seen.invalidate()
        return (escalation.ticket if escalation else None), announcements

    def resolve(self, session: Session, ticket_id: int, actor: str) -> Ticket:
        ticket = resolve_ticket(session, ticket_id, actor)
        session.commit()
        if self.seen is not None:
            self.seen.invalidate()
        return ticket

    def _announcement(self, session: Session, escalation: Escalation, sighting: Sighting) -> Announcement:
        view = ticket_view(session, escalation.ticket)
        console = None
        if self.tickets.ticket_backend == "huaweicloud" and self.tickets.huaweicloud_ak is None:
            console = console_link(view, self.tickets.huaweicloud_region)
        card = escalation_message(view, escalation.action, external_url=escalation.ticket.external_url,
                                  console_url=console)
        in_slack = sighting.source in ("paste", "shortcut", "command") and sighting.channel
        notice = thread_notice(view, escalation.action) if in_slack and sighting.thread_ts else None
        return Announcement(
            escalation_message=card.kwargs(),
            thread_message=notice.kwargs() if notice else None,
            channel=sighting.channel if in_slack else None,
            thread_ts=sighting.thread_ts,
        )

    # -- telling Slack ---------------------------------------------------------------------------

    def announce(self, client: WebClient, announcements: Iterable[Announcement]) -> None:
        """Post escalation cards and thread replies. A Slack failure is logged: the ticket exists
        and is listed by `/hwerror tickets`, so nothing is lost."""
        for a in announcements:
            if self.escalation_channel:
                self._post(client, channel=self.escalation_channel, **a.escalation_message)
            if a.thread_message and a.channel:
                self._post(client, channel=a.channel, thread_ts=a.thread_ts, **a.thread_message)

    @staticmethod
    def _post(client: WebClient, **kwargs: object) -> None:
        try:
            client.chat_postMessage(unfurl_links=False, unfurl_media=False, **kwargs)  # type: ignore[arg-type]
        except SlackApiError as exc:
            log.warning("escalation notice not posted to %s: %s", kwargs.get("channel"),
                        exc.response.get("error"))
