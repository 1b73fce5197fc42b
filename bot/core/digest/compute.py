"""The digest's figures, aggregated by the database (a few grouped queries over one week's rows).

Day buckets are computed here as UTC instants of local midnights and handed to SQL as CASE
ranges, so the same queries cut days correctly in any time zone on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session

from bot.core.digest.weeks import Week
from bot.core.incidents.enums import TicketEventAction
from bot.core.incidents.models import Incident, Ticket, TicketEvent
from bot.core.models import FeedbackVote
from knowledge.clock import utcnow
from knowledge.models import Entry

TOP = 10
CHART_CODES = 5


@dataclass(frozen=True)
class CodeLine:
    service: str
    code: str
    count: int
    previous: int = 0
    ticket: str | None = None  # "HW-12 open", "HW-12 resolved"
    message: str = ""
    first_seen: bool = False  # no incident of this code before the week

    @property
    def trend(self) -> str:
        """The change on last week in a word the "Last week" column does not already say."""
        if self.previous == 0:
            if not self.count:
                return "-"
            return "new" if self.first_seen else "back"
        change = (self.count - self.previous) / self.previous
        return f"{change:+.0%}"


@dataclass(frozen=True)
class Digest:
    week: Week
    total: int
    previous_total: int
    top: list[CodeLine] = field(default_factory=list)
    new_codes: list[CodeLine] = field(default_factory=list)
    unknown: list[CodeLine] = field(default_factory=list)
    tickets: dict[str, int] = field(default_factory=dict)  # opened, resolved, reopened
    channels: list[tuple[str, int]] = field(default_factory=list)
    not_helpful: list[CodeLine] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    daily: dict[str, list[int]] = field(default_factory=dict)  # code -> 7 counts, top codes only
    daily_total: list[int] = field(default_factory=list)  # 7 counts, every code (for "other")
    as_of: datetime | None = None  # when it was built: days after it have not happened yet

    @property
    def days_so_far(self) -> int:
        """How many of the week's days have begun (7 for a week that is over)."""
        if self.as_of is None:
            return len(self.days)
        bounds = self.week.day_bounds()
        return sum(1 for start in bounds[:-1] if start <= self.as_of)

    @property
    def change(self) -> str:
        if self.previous_total == 0:
            return "no incidents the week before" if self.total else "no change"
        return f"{(self.total - self.previous_total) / self.previous_total:+.0%} on the week before"

    @property
    def quiet(self) -> bool:
        return self.total == 0

    @property
    def title(self) -> str:
        w = self.week
        return (
            f"hwerror weekly digest, {w.label} ({w.days()[0]:%d %b} to {w.days()[-1]:%d %b %Y}, {w.tz.key})"
        )


def _in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Incident.created_at >= start, Incident.created_at < end)


def _count_in(start: datetime, end: datetime) -> ColumnElement[int]:
    return func.sum(case((_in(start, end), 1), else_=0))


def build_digest(
    session: Session, week: Week, *, workspace: str | None = None, now: datetime | None = None
) -> Digest:
    """Two scans of the fortnight's incidents (per code, per channel) and a few index probes."""
    prev = week.previous()
    scope: Scope = [Incident.workspace == workspace] if workspace else []
    bounds = week.day_bounds()
    per_code = session.execute(
        select(
            Incident.service,
            Incident.code,
            Incident.known,
            _count_in(week.start, week.end),
            _count_in(prev.start, prev.end),
            *(_count_in(bounds[i], bounds[i + 1]) for i in range(7)),
        )
        .where(*scope, _in(prev.start, week.end))
        .group_by(Incident.service, Incident.code, Incident.known)
    ).all()
    stats = [
        _CodeStats(r[0], r[1], bool(r[2]), int(r[3] or 0), int(r[4] or 0), [int(v or 0) for v in r[5:]])
        for r in per_code
    ]
    this_week = sorted((c for c in stats if c.count), key=lambda c: (-c.count, c.code))
    known = [c for c in this_week if c.known]
    top_codes = [(c.service, c.code) for c in known[:TOP]]
    first_timers = _first_seen_this_week(session, [(c.service, c.code) for c in known], week, scope)
    new_stats = [c for c in known if (c.service, c.code) in first_timers][:TOP]
    wanted = top_codes + [(c.service, c.code) for c in new_stats]
    tickets = _ticket_status(session, top_codes, workspace)
    messages = _messages(session, _variants_seen_most(session, wanted, week, scope))
    top = [
        CodeLine(
            c.service,
            c.code,
            c.count,
            c.previous,
            tickets.get((c.service, c.code)),
            messages.get((c.service, c.code), ""),
            first_seen=(c.service, c.code) in first_timers,
        )
        for c in known[:TOP]
    ]
    new_codes = [
        CodeLine(c.service, c.code, c.count, message=messages.get((c.service, c.code), ""), first_seen=True)
        for c in new_stats
    ]
    unknown = [CodeLine(c.service, c.code, c.count) for c in this_week if not c.known][:TOP]

    channels = [
        (r.channel, r.n)
        for r in session.execute(
            select(Incident.channel, func.count().label("n"))
            .where(*scope, _in(week.start, week.end))
            .group_by(Incident.channel)
            .order_by(func.count().desc(), Incident.channel)
            .limit(5)
        )
    ]

    ticket_scope = [Ticket.workspace == workspace] if workspace else []
    ticket_counts: dict[str, int] = dict(
        session.execute(
            select(TicketEvent.action, func.count())
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(*ticket_scope, TicketEvent.at >= week.start, TicketEvent.at < week.end)
            .group_by(TicketEvent.action)
        ).all()
    )

    not_helpful = [
        CodeLine(r.service, r.code, r.n, message=r.message)
        for r in session.execute(
            select(Entry.service, Entry.code, Entry.message, func.count().label("n"))
            .join(FeedbackVote, FeedbackVote.entry_id == Entry.id)
            .where(
                FeedbackVote.helpful.is_(False),
                FeedbackVote.updated_at >= week.start,
                FeedbackVote.updated_at < week.end,
            )
            .group_by(Entry.service, Entry.code, Entry.message)
            .order_by(func.count().desc(), Entry.code)
            .limit(TOP)
        )
    ]

    by_code = {(c.service, c.code): c for c in known}
    return Digest(
        week=week,
        total=sum(c.count for c in stats),
        previous_total=sum(c.previous for c in stats),
        top=top,
        new_codes=new_codes,
        unknown=unknown,
        tickets={k: int(ticket_counts.get(k, 0)) for k in TicketEventAction},
        channels=channels,
        not_helpful=not_helpful,
        days=week.days(),
        daily={code: by_code[(service, code)].daily for service, code in top_codes[:CHART_CODES]},
        daily_total=[sum(c.daily[i] for c in stats) for i in range(7)],
        as_of=now or utcnow(),
    )


@dataclass(frozen=True)
class _CodeStats:
    service: str
    code: str
    known: bool
    count: int
    previous: int
    daily: list[int]


def _first_seen_this_week(session: Session, codes: Codes, week: Week, scope: Scope) -> set[tuple[str, str]]:
    """The codes with no incident before the week: one index probe per code seen this week."""
    if not codes:
        return set()
    earlier = [
        exists().where(*scope, Incident.service == s, Incident.code == c, Incident.created_at < week.start)
        for s, c in codes
    ]
    seen_before: set[tuple[str, str]] = set()
    # A bounded number of EXISTS per statement keeps statements small with many codes.
    for i in range(0, len(codes), 50):
        flags = session.execute(select(*earlier[i : i + 50])).one()
        seen_before |= {code for code, flag in zip(codes[i : i + 50], flags, strict=True) if flag}
    return set(codes) - seen_before


Codes = list[tuple[str, str]]
Scope = list[ColumnElement[bool]]


def _ticket_status(session: Session, codes: Codes, workspace: str | None) -> dict[tuple[str, str], str]:
    if not codes:
        return {}
    query = select(Ticket).where(
        Ticket.code.in_({c for _, c in codes}), Ticket.service.in_({s for s, _ in codes})
    )
    if workspace:
        query = query.where(Ticket.workspace == workspace)
    return {(t.service, t.code): f"{t.ref} {t.status}" for t in session.scalars(query)}


def _variants_seen_most(
    session: Session, codes: Codes, week: Week, scope: Scope
) -> dict[tuple[str, str], int]:
    """Each code's variant seen most this week (APIG.0201 is "API request error." as a 400 and
    "Request entity too large." as a 413): the row names what the team actually saw."""
    if not codes:
        return {}
    rows = session.execute(
        select(Incident.service, Incident.code, Incident.variant, func.count())
        .where(
            *scope,
            _in(week.start, week.end),
            Incident.code.in_({c for _, c in codes}),
            Incident.service.in_({s for s, _ in codes}),
        )
        .group_by(Incident.service, Incident.code, Incident.variant)
    ).all()
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for service, code, variant, n in rows:
        v = variant or 0
        key = (service, code)
        # The most incidents wins; on a tie the lower variant (the page's first row).
        if key not in best or (n, -v) > (best[key][0], -best[key][1]):
            best[key] = (int(n), v)
    return {key: best.get(key, (0, 0))[1] for key in codes}


def _messages(session: Session, variants: dict[tuple[str, str], int]) -> dict[tuple[str, str], str]:
    if not variants:
        return {}
    rows = session.execute(
        select(Entry.service, Entry.code, Entry.variant, Entry.message).where(
            Entry.code.in_({c for _, c in variants}), Entry.variant.in_({0, *variants.values()})
        )
    )
    by_variant = {(s, c, v): m.split("\n")[0] for s, c, v, m in rows}
    messages = {}
    for (s, c), v in variants.items():
        message = by_variant.get((s, c, v), by_variant.get((s, c, 0)))
        if message is not None:
            messages[(s, c)] = message
    return messages
