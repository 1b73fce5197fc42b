"""When a recurring code deserves a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.incidents.config import EscalationSettings
from knowledge.types import WhoActs


@dataclass(frozen=True)
class CodeActivity:
    """What the escalation check reads: one code's incidents inside the policy's window."""

    count: int
    channels: int | None  # None: not counted, because the count alone decides
    who_acts: WhoActs


@dataclass(frozen=True)
class EscalationPolicy:
    count: int = 5
    window: timedelta = timedelta(hours=24)
    channels: int = 3
    support_count: int = 2

    @classmethod
    def from_settings(cls, settings: EscalationSettings) -> EscalationPolicy:
        return cls(
            count=settings.escalate_count,
            window=settings.escalate_window,
            channels=settings.escalate_channels,
            support_count=settings.escalate_support_count,
        )

    def reason(self, activity: CodeActivity) -> str | None:
        """Why this activity calls for a ticket, in words for the card; None when it does not."""
        hours = self.window.total_seconds() / 3600
        span = f"{hours:g} h" if hours < 48 else f"{hours / 24:g} days"
        if activity.who_acts is WhoActs.HUAWEI_SUPPORT and activity.count >= self.support_count:
            return f"seen {activity.count} times in {span}, and only Huawei support can fix it"
        if activity.count >= self.count:
            return f"seen {activity.count} times in {span}"
        if activity.channels is not None and activity.channels >= self.channels:
            return f"seen in {activity.channels} channels in {span}"
        return None
