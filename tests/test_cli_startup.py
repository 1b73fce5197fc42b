"""The command line starts quickly: each command imports what it uses, no more.

Wall-clock limits would be flaky on a shared machine; what is imported is not. (Measured times are
in the issue's note: `python -X importtime -c "from bot.cli import main"`.)
"""

from __future__ import annotations

import json
import subprocess
import sys

from testing.cli import run_cli

HEAVY = (
    "sqlalchemy",
    "pydantic",
    "pydantic_settings",
    "rich",
    "slack_bolt",
    "slack_sdk",
    "matplotlib",
    "alembic",
)
PROBE = """
import json, sys
sys.argv = ["hwerror", *json.loads(sys.argv[1])]
from bot.cli import main
try:
    main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _imported(*args: str, db_url: str = "sqlite:///:memory:") -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "COLUMNS": "80"},
        timeout=60,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_help_imports_typer_and_nothing_heavy() -> None:
    imported = _imported("--help")
    assert "typer" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_a_lookup_imports_neither_slack_nor_matplotlib_nor_alembic(db_url: str) -> None:
    assert run_cli("db", "upgrade", db_url=db_url).returncode == 0
    imported = _imported("lookup", "AIS.0027", db_url=db_url)
    assert {"sqlalchemy", "rich"} <= imported  # it did look up
    assert not imported & {"slack_bolt", "slack_sdk", "matplotlib", "alembic"}


def test_help_shows_flags_without_type_placeholders_and_short_summaries() -> None:
    for args in (
        ["--help"],
        ["digest", "--help"],
        ["kb", "--help"],
        ["serve", "--help"],
        ["tickets", "list", "--help"],
    ):
        out = run_cli(*args, db_url="sqlite:///:memory:", extra_env={"COLUMNS": "80"}).stdout
        assert "<bool>" not in out and "<str>" not in out, out
        assert "..." not in out.split("Commands:")[-1] if "Commands:" in out else True


def test_the_schema_check_agrees_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    from knowledge.schema import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
