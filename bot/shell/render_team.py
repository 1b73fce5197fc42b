"""The shell's renderer for the team's results: stats, tickets, the digest, escalations (Rich).

Each reads the same data the Slack builders read (bot.slack.blocks), never their Block Kit.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.core.channels import ChannelSetting, describe
from bot.core.digest.compute import CodeLine, Digest
from bot.core.incidents.desk import Escalated
from bot.core.incidents.enums import EscalationAction
from bot.core.stats import Stats
from bot.core.team import Resolved, TeamResult, TicketList

SPARK = "▁▂▃▄▅▆▇█"


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _spark(values: list[int]) -> str:
    top = max(values) if values else 0
    return "".join(SPARK[min(7, (v * 7 + top - 1) // top)] if top and v else "·" for v in values)


def stats_panel(stats: Stats) -> Panel:
    title = f"Stats for {stats.code}" if stats.code else "hwerror stats"
    lines = ["   ".join(f"{label}: {n}" for label, n in stats.counts.items())]
    if stats.channels:
        lines.append("Channels (30 days): " + ", ".join(f"#{c} ×{n}" for c, n in stats.channels))
    if stats.code:
        lines.append("Tickets: " + (", ".join(stats.tickets) or "none"))
        if stats.days:
            lines.append(
                f"Per day, {stats.days[0]:%d %b} to {stats.days[-1]:%d %b}: {_spark(stats.daily)}"
                f" (peak {max(stats.daily)})"
            )
    else:
        lines.append(f"Open tickets: {stats.open_tickets}")
        if stats.top_codes:
            lines.append("Top codes (7 days): " + ", ".join(f"{c} ×{n}" for c, n in stats.top_codes))
    return Panel(Text("\n".join(lines)), title=escape(title), title_align="left")


def tickets_panel(tickets: TicketList) -> Panel:
    if not tickets.open:
        return Panel(Text("No open tickets."), title="Open tickets", title_align="left")
    lines = []
    for s in tickets.open:
        t = s.ticket
        last = f", last seen {_when(s.last_seen)}" if s.last_seen else ""
        lines.append(
            f"{t.ref} {t.code} ({t.service}): {s.incidents} incidents in {s.channels} channel(s)"
            f"{last}\n  {t.reason}"
        )
    if tickets.more:
        lines.append(f"… and {tickets.more} more, older: hwerror tickets list --limit {tickets.count}")
    return Panel(Text("\n".join(lines)), title=f"Open tickets ({tickets.count})", title_align="left")


def _code_line(line: CodeLine) -> str:
    return " ".join(p for p in (f"{line.code} ×{line.count}", line.message[:90]) if p)


def digest_panel(digest: Digest) -> Panel:
    if digest.quiet:
        headline = "No Huawei Cloud errors were seen this week. Quiet week!"
    else:
        t = digest.tickets
        headline = (
            f"{digest.total} incidents ({digest.change}). Tickets: {t['opened']} opened, "
            f"{t['resolved']} resolved, {t['reopened']} reopened."
        )
    parts: list[RenderableType] = [Text(headline)]
    if not digest.quiet:
        top = Table(title="Top codes", title_justify="left")
        for column in ("Code", "Service", "This week", "Last week", "Trend", "Ticket", "Error"):
            top.add_column(column, overflow="fold")
        for c in digest.top:
            top.add_row(
                escape(c.code),
                escape(c.service),
                str(c.count),
                str(c.previous),
                c.trend,
                escape(c.ticket or ""),
                escape(c.message),
            )
        parts.append(top)
        lists = [
            ("New this week", [_code_line(c) for c in digest.new_codes]),
            ("Not in the knowledge base yet", [_code_line(c) for c in digest.unknown]),
            ("Busiest channels", [f"#{ch} ×{n}" for ch, n in digest.channels]),
            ("Cards marked not helpful", [_code_line(c) for c in digest.not_helpful]),
        ]
        for title, lines in lists:
            if lines:
                parts.append(Text(title, style="bold"))
                parts.extend(Text("  • " + line) for line in lines)
    return Panel(Group(*parts), title=escape(digest.title), title_align="left")


def resolved_line(resolved: Resolved) -> Text:
    t = resolved.ticket
    return Text(f"{t.ref} ({t.code}) is resolved. If the code comes back, it reopens.")


def team_renderable(result: TeamResult) -> RenderableType:
    if isinstance(result, Stats):
        return stats_panel(result)
    if isinstance(result, Digest):
        return digest_panel(result)
    if isinstance(result, TicketList):
        return tickets_panel(result)
    if isinstance(result, ChannelSetting):
        return Text("\n".join(describe(result)))
    return resolved_line(result)


def escalated_line(escalated: Escalated) -> str:
    """One sentence, each fact once: "Ticket HW-2 opened for AIS.0027 (5 incidents): seen 5 times in 24 h"."""
    view = escalated.view
    verb = "reopened" if escalated.action is EscalationAction.REOPENED else "opened"
    incidents = f"{view.incident_count} incident{'' if view.incident_count == 1 else 's'}"
    return f"Ticket {view.ref} {verb} for {view.code} ({incidents}): {view.reason}"
