"""Run the installed `hwerror` command as a user would: a real process with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HWERROR = [sys.executable, "-c", "from bot.cli import main; main()"]


def run_cli(
    *args: str,
    db_url: str,
    stdin: str | None = None,
    cwd: Path | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"DATABASE_URL": db_url, "COLUMNS": "200", "NO_COLOR": "1"})
    env.update(extra_env or {})
    return subprocess.run(
        [*HWERROR, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )
