"""`/hwerror stats [CODE]` and the card's "seen N times": counts aggregated by the database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from bot.core.digest.weeks import last_days
from bot.core.incidents.enums import TicketStatus
from bot.core.incidents.models import Incident, Ticket

WINDOWS = (("24 h", timedelta(hours=24)), ("7 days", timedelta(days=7)), ("30 days", timedelta(days=30)))


@dataclass(frozen=True)
class Stats:
    code: str | None  # None: every code
    counts: dict[str, int]  # "24 h" / "7 days" / "30 days" -> incidents
    channels: list[tuple[str, int]]  # busiest channels over 30 days
    tickets: list[str] = field(default_factory=list)  # "HW-3 open (content-moderation)"
    open_tickets: int = 0
    top_codes: list[tuple[str, int]] = field(default_factory=list)  # 7 days, overall stats only
    days: list[date] = field(default_factory=list)  # one code: the last 30 local days
    daily: list[int] = field(default_factory=list)


def _windowed(now: datetime) -> list[ColumnElement[int]]:
    return [func.sum(case((Incident.created_at >= now - span, 1), else_=0)) for _, span in WINDOWS]


def stats(
    session: Session, now: datetime, tz: ZoneInfo, code: str | None = None, *, workspace: str | None = None
) -> Stats:
    """`workspace`: only that workspace's incidents and tickets (None: every workspace, the CLI)."""
    since = now - WINDOWS[-1][1]
    in_ws = [Incident.workspace == workspace] if workspace is not None else []
    ticket_ws = [Ticket.workspace == workspace] if workspace is not None else []
    where = [Incident.created_at >= since, *in_ws]
    if code:
        where.append(func.lower(Incident.code) == code.lower())
    counts = session.execute(select(*_windowed(now)).where(*where)).one()
    channels = session.execute(
        select(Incident.channel, func.count())
        .where(*where)
        .group_by(Incident.channel)
        .order_by(func.count().desc(), Incident.channel)
        .limit(5)
    ).all()
    ticket_query = select(Ticket).where(*ticket_ws).order_by(Ticket.opened_at.desc())
    if code:
        ticket_query = ticket_query.where(func.lower(Ticket.code) == code.lower())
    else:
        ticket_query = ticket_query.where(Ticket.status == TicketStatus.OPEN).limit(10)
    tickets = list(session.scalars(ticket_query))
    result = Stats(
        code=code,
        counts={label: int(n or 0) for (label, _), n in zip(WINDOWS, counts, strict=True)},
        channels=[(c, int(n)) for c, n in channels],
        tickets=[f"{t.ref} {t.status} ({t.service})" for t in tickets],
        open_tickets=session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.status == TicketStatus.OPEN, *ticket_ws)
        )
        or 0,
    )
    if not code:
        top = session.execute(
            select(Incident.code, func.count())
            .where(Incident.created_at >= now - timedelta(days=7), *in_ws)
            .group_by(Incident.code)
            .order_by(func.count().desc(), Incident.code)
            .limit(10)
        ).all()
        return replace(result, top_codes=[(c, int(n)) for c, n in top])
    days, bounds = last_days(now, tz, 30)
    buckets = [
        func.sum(
            case((and_(Incident.created_at >= bounds[i], Incident.created_at < bounds[i + 1]), 1), else_=0)
        )
        for i in range(len(days))
    ]
    daily = session.execute(
        select(*buckets).where(
            func.lower(Incident.code) == code.lower(), Incident.created_at >= bounds[0], *in_ws
        )
    ).one()
    return replace(result, days=days, daily=[int(v or 0) for v in daily])
