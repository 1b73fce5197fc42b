"""Weeks cut in the team's time zone, and the digest's schedule ("mon 09:00")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.I)
_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.I)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone such as Europe/Berlin or Asia/Shanghai") from exc


def midnights(first: date, n: int, tz: ZoneInfo) -> list[datetime]:
    """The local midnights (as UTC instants) that start `n` days from `first`, and the one after."""
    return [datetime.combine(first + timedelta(days=i), time(0), tz).astimezone(UTC) for i in range(n + 1)]


def last_days(now: datetime, tz: ZoneInfo, n: int) -> tuple[list[date], list[datetime]]:
    """The last `n` local days up to today, and the n+1 instants that bound them."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=n - 1)
    return [first + timedelta(days=i) for i in range(n)], midnights(first, n, tz)


@dataclass(frozen=True)
class Week:
    """An ISO week (Monday to Monday) in a time zone. A week with a daylight-saving change is
    167 or 169 hours long; the bounds are local midnights, whatever UTC makes of them."""

    year: int
    number: int
    tz: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def day_bounds(self) -> list[datetime]:
        """Eight instants (UTC): the local midnights that start each day, and the week's end."""
        return midnights(self.monday, 7, self.tz)

    @property
    def start(self) -> datetime:
        return self.day_bounds()[0]

    @property
    def end(self) -> datetime:
        return self.day_bounds()[7]

    def previous(self) -> Week:
        return Week.containing(datetime.combine(self.monday - timedelta(days=7), time(12), self.tz), self.tz)

    @classmethod
    def containing(cls, moment: datetime, tz: ZoneInfo) -> Week:
        year, number, _ = moment.astimezone(tz).isocalendar()
        return cls(year, number, tz)

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo) -> Week:
        m = _ISO_WEEK.match(text)
        if not m:
            raise ValueError(f"{text!r} is not an ISO week such as 2026-W47")
        year, number = int(m[1]), int(m[2])
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError as exc:
            raise ValueError(f"{text!r}: {year} has no week {number}") from exc
        return cls(year, number, tz)


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday
    at: time

    @classmethod
    def parse(cls, text: str) -> Schedule:
        m = _SCHEDULE.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a schedule such as 'mon 09:00'")
        return cls(_DAYS.index(m[1].lower()[:3]), time(int(m[2]), int(m[3])))

    def due(self, now: datetime, tz: ZoneInfo) -> Week | None:
        """The week whose digest is due at `now`, if its posting time has passed: the digest
        posted on Monday morning is about the week that just ended."""
        local = now.astimezone(tz)
        this_week = Week.containing(local, tz)
        post_at = datetime.combine(this_week.monday + timedelta(days=self.weekday), self.at, tz)
        return this_week.previous() if local >= post_at else None
