"""`hwerror digest`: the weekly digest in the terminal (--dry-run) or posted to the digest channel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import console, engine_for_cli, fail, process_settings, settings_or_fail

if TYPE_CHECKING:
    from bot.core.digest.config import DigestSettings
    from bot.core.digest.weeks import Week


def load_digest_settings() -> DigestSettings:
    from bot.core.digest.config import DigestSettings

    return settings_or_fail(DigestSettings)


OUT_HELP = (
    "Where --dry-run writes the chart: a .png file, or a directory for hwerror-digest-WEEK.png "
    "(default: a new temporary directory, named in the output)."
)


def register(app: typer.Typer) -> None:
    @app.command("digest")
    def digest_command(
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Print it here; post nothing.")] = False,
        week: Annotated[
            str | None, typer.Option("--week", metavar="YYYY-Www", help="An ISO week such as 2026-W47.")
        ] = None,
        out: Annotated[Path | None, typer.Option("--out", metavar="PATH", help=OUT_HELP)] = None,
    ) -> None:
        """The weekly digest: this week so far, or --week.

        Without --dry-run it is posted to HWERROR_DIGEST_CHANNEL (once per week and channel,
        however often this runs).
        """
        from bot.core.digest.weeks import Week
        from knowledge.clock import utcnow

        settings = load_digest_settings()
        try:
            chosen = Week.parse(week, settings.tz) if week else Week.containing(utcnow(), settings.tz)
        except ValueError as exc:
            fail(f"--week: {exc}", 2)
        with engine_for_cli() as engine:
            if dry_run:
                _dry_run(engine, chosen, out)
                return
            _post(engine, settings, chosen)


def _chart_path(out: Path | None, week: Week) -> Path:
    name = f"hwerror-digest-{week.label}.png"
    if out is None:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="hwerror-digest-")) / name
    if out.is_dir() or out.suffix.lower() != ".png":
        out.mkdir(parents=True, exist_ok=True)
        return out / name
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _dry_run(engine, week: Week, out: Path | None) -> None:  # type: ignore[no-untyped-def]
    from bot.core.digest.compute import build_digest
    from bot.shell.render_team import digest_panel
    from knowledge.db import session_factory

    with session_factory(engine)() as session:
        digest = build_digest(session, week)
    console.print(digest_panel(digest))
    from bot.core.digest.chart import chart_png  # matplotlib costs most of a second to import

    png = chart_png(digest)
    if png is None:
        console.print("no chart: nothing was seen this week", highlight=False)
        return
    path = _chart_path(out, week)
    path.write_bytes(png)
    console.print(f"chart written to {path}", highlight=False, soft_wrap=True)


def _post(engine, settings: DigestSettings, week: Week) -> None:  # type: ignore[no-untyped-def]
    from bot.core.digest.post import PublishFailed, post_digest
    from bot.slack.client import sender_client
    from bot.slack.digest import SlackDigestPublisher
    from bot.slack.runtime.sender import ChatSender

    slack = process_settings()
    if not settings.digest_channel:
        fail("HWERROR_DIGEST_CHANNEL is not set: name the channel id to post to, or use --dry-run")
    if not slack.slack_bot_token:
        fail("SLACK_BOT_TOKEN is not set: posting needs the bot token (or use --dry-run)")
    try:
        queued = post_digest(engine, SlackDigestPublisher(engine, settings.digest_channel), week)
    except PublishFailed as exc:
        fail(f"the digest could not be queued: {exc}")
    if queued is None:
        console.print(f"the {week.label} digest was already posted to {settings.digest_channel}")
        return
    tally = ChatSender(engine, sender_client(slack)).drain()
    if tally.delivered:
        console.print(f"posted the {week.label} digest to {settings.digest_channel}")
    else:
        console.print(
            f"the {week.label} digest is queued for {settings.digest_channel}; Slack did not take it yet "
            f"({'; '.join(tally.errors) or 'it will be tried again'}): `hwerror outbox` shows it",
            highlight=False,
        )
