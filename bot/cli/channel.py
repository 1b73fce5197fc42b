"""`hwerror kb channel-service CHANNEL [SERVICE|none] --workspace T…`: a channel's default service,
as `/hwerror channel service …` sets it in Slack (audited, acting as the terminal's user)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import app_settings_or_fail, console, engine_for_cli, fail


def register(app: typer.Typer) -> None:
    app.command("channel-service")(channel_service_command)


def channel_service_command(
    channel: Annotated[str, typer.Argument(help="The Slack channel id (C0123…), or shell.")],
    service: Annotated[
        str | None, typer.Argument(help="The service to set (OCR, content-moderation, …), or none.")
    ] = None,
    workspace: Annotated[
        str, typer.Option("--workspace", help="The Slack workspace (team) id, T0123…; shell for the shell.")
    ] = "shell",
) -> None:
    """Show, set or clear a channel's default service.

    A code several services have is read as this service's when the paste does not say which.
    """
    import getpass
    from dataclasses import replace

    from bot.core.actor import Actor
    from bot.core.build import build_service
    from bot.core.channels import describe
    from bot.core.errors import UserError

    settings = app_settings_or_fail()
    actor = replace(Actor.shell(getpass.getuser()), workspace=workspace.strip())
    arg = f"service {service}" if service else ""
    with engine_for_cli() as engine:
        svc = build_service(engine, settings, seen_ttl=None, batch_gaps=False)
        with svc.sessions() as session:
            try:
                setting = svc.channel_service(session, arg, actor, channel.strip())
            except UserError as exc:
                fail(str(exc))
    for line in describe(setting):
        console.print(line, highlight=False, markup=False)
