"""The service a channel is about: the default an admin set for it, and the services seen there
lately. The matcher takes them as hints (knowledge.matching.service_choice): they decide between
services that all have a code, only when the paste itself does not say which, and never change
the service of a code one service alone has.

`#ocr-support` is about OCR whatever a paste of `ModelArts.4204` (the AI services' shared gateway
code) shows; a channel with no default still leans towards the services its incidents of the last
two weeks were in.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.errors import BadRequest
from bot.core.incidents.models import Incident
from bot.core.models import ChannelService
from bot.core.redaction import redact
from knowledge.clock import utcnow
from knowledge.models import AuditEvent
from knowledge.services import PROFILES, display_name, normalise_service

log = logging.getLogger(__name__)

RECENT_DAYS = 14  # incidents this recent say what a channel is about
RECENT_MAX = 3  # services seen lately that count as hints, most seen first
HINTS_TTL = 30.0  # seconds another process's change (or a new incident) may take to count
CLEAR_WORDS = frozenset({"none", "off", "clear", "unset", "-"})
USAGE = "Try /hwerror channel, /hwerror channel service OCR or /hwerror channel service none."


@dataclass(frozen=True)
class ChannelSetting:
    """A channel's default service (a slug, or None) and the services seen there lately."""

    channel: str
    service: str | None
    recent: tuple[str, ...] = ()
    changed: bool = False  # this request set or cleared the default
    previous: str | None = None  # the default before this request changed it

    @property
    def hints(self) -> tuple[str, ...]:
        """Best first: the default, then the services seen lately."""
        first = (self.service,) if self.service else ()
        return first + tuple(s for s in self.recent if s != self.service)


def known_service(name: str, kb_services: list[str]) -> str:
    """The slug of a service a person named, if Huawei Cloud's catalogue or the knowledge base
    has it; otherwise a BadRequest listing the services there are."""
    slug = normalise_service(redact(name))
    known = set(kb_services) | {p.slug for p in PROFILES}
    if slug and slug in known:
        return slug
    listed = ", ".join(sorted(known))
    raise BadRequest(f"{redact(name.strip())[:60]!r} is not a service I know. The services are: {listed}.")


def channel_default(session: Session, workspace: str, channel: str) -> str | None:
    return session.scalars(
        select(ChannelService.service).where(
            ChannelService.workspace == workspace, ChannelService.channel == channel
        )
    ).one_or_none()


def set_channel_default(
    session: Session, workspace: str, channel: str, service: str | None, actor: str
) -> str | None:
    """Set (or, with None, clear) a channel's default service; audited. Returns the one before."""
    row = session.scalars(
        select(ChannelService).where(ChannelService.workspace == workspace, ChannelService.channel == channel)
    ).one_or_none()
    previous = row.service if row is not None else None
    if previous == service:
        return previous
    if service is None:
        assert row is not None
        session.delete(row)
    elif row is None:
        session.add(ChannelService(workspace=workspace, channel=channel, service=service, set_by=actor))
    else:
        row.service, row.set_by, row.updated_at = service, actor, utcnow()
    session.add(
        AuditEvent(
            entry_id=None,
            action="channel_service",
            actor=actor,
            changes={"workspace": workspace, "channel": channel, "service": [previous, service]},
        )
    )
    session.flush()
    return previous


def recent_services(session: Session, workspace: str, channel: str) -> tuple[str, ...]:
    """The services of the channel's incidents of the last RECENT_DAYS days, most seen first."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    n = func.count(Incident.id)
    rows = session.execute(
        select(Incident.service, n)
        .where(
            Incident.workspace == workspace,
            Incident.channel == channel,
            Incident.created_at >= since,
            Incident.service != "",
        )
        .group_by(Incident.service)
        .order_by(n.desc(), Incident.service)
        .limit(RECENT_MAX)
    )
    return tuple(service for service, _ in rows)


class ChannelHints:
    """Each channel's hints, kept for HINTS_TTL seconds: a paste must not cost two more queries.
    A change this process makes is seen at once (`forget`). They are read in a session of their
    own, closed at once: the caller's unit of work holds no read transaction for them (on SQLite
    one would keep the batched gap writer of another connection waiting)."""

    def __init__(self, sessions: sessionmaker[Session], ttl: float = HINTS_TTL) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, str], tuple[float, ChannelSetting]] = {}

    def setting(self, workspace: str, channel: str) -> ChannelSetting:
        key = (workspace, channel)
        now = time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        with self._sessions() as session:
            found = ChannelSetting(
                channel,
                channel_default(session, workspace, channel),
                recent_services(session, workspace, channel),
            )
        with self._lock:
            if len(self._kept) >= 10_000:
                self._kept.clear()
            self._kept[key] = (now, found)
        return found

    def hints(self, workspace: str | None, channel: str | None) -> tuple[str, ...]:
        """The channel's hints; none while the database cannot be read (a lookup still answers)."""
        if not workspace or not channel:
            return ()
        try:
            return self.setting(workspace, channel).hints
        except DBAPIError as exc:  # its text may hold the SQL and its values: name the kind alone
            log.warning("channel hints not read, the database is unavailable (%s)", type(exc).__name__)
            return ()

    def forget(self, workspace: str, channel: str) -> None:
        with self._lock:
            self._kept.pop((workspace, channel), None)


def describe(setting: ChannelSetting) -> list[str]:
    """What the front ends say of a channel's setting, as plain sentences (they escape them)."""
    lines: list[str] = []
    if setting.changed and setting.service:
        lines.append(
            f"This channel's service is now {_named(setting.service)}: a code several services have "
            "is taken as this service's, unless the paste shows another."
        )
    elif setting.changed:
        lines.append(f"This channel has no default service any more (it was {_named(setting.previous)}).")
    elif setting.service:
        lines.append(f"This channel's default service: {_named(setting.service)}.")
    else:
        lines.append("This channel has no default service. An admin sets one: /hwerror channel service NAME.")
    if setting.recent:
        seen = ", ".join(_named(s) for s in setting.recent)
        lines.append(f"Seen here in the last {RECENT_DAYS} days: {seen}.")
    return lines


def _named(slug: str | None) -> str:
    if not slug:
        return "none"
    name = display_name(slug)
    return f"{name} ({slug})" if name.lower() != slug else slug
