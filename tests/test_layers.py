"""The layers stay apart: the core knows no front end, and the front ends know no one another.

`knowledge` and `bot.core` are plain Python over SQLAlchemy; `bot.slack` and `bot.shell` translate
for one medium each; `bot.cli` is the composition root and may use all of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> module prefixes it must never import
FORBIDDEN = {
    "knowledge": ("slack_sdk", "slack_bolt", "rich", "typer", "bot"),
    "bot.core": ("slack_sdk", "slack_bolt", "rich", "typer", "bot.slack", "bot.shell", "bot.cli"),
    "bot.shell": ("slack_sdk", "slack_bolt", "bot.slack", "bot.cli"),
    "bot.slack": ("rich", "typer", "bot.shell", "bot.cli"),
}


def imported_modules(source: str, module: str) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    names: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
    return names


def violations(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        module = ".".join(rel.parts).removesuffix(".__init__")
        for layer, banned in FORBIDDEN.items():
            if module != layer and not module.startswith(layer + "."):
                continue
            for name in imported_modules(path.read_text(encoding="utf-8"), module):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    found.append(f"{module} imports {name}")
    return found


def _tree(tmp_path: Path) -> Path:
    """A copy of the production packages, to plant an import in."""
    for package in ("bot", "knowledge"):
        for path in (ROOT / package).rglob("*.py"):
            target = tmp_path / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_no_layer_imports_what_it_must_not() -> None:
    assert violations(ROOT) == []


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("bot/core/pipeline.py", "from slack_sdk import WebClient"),
        ("bot/core/incidents/record.py", "    from bot.slack.blocks import card"),
        ("knowledge/matching/jsonl.py", "import rich.console"),
        ("bot/shell/shell.py", "from bot.slack.app import create_app"),
        ("bot/slack/app.py", "from bot.shell.render import card_panel"),
        ("bot/core/service.py", "from . import pipeline\nfrom ..slack import app"),
    ],
)
def test_a_planted_import_across_layers_is_caught(tmp_path: Path, module: str, planted: str) -> None:
    root = _tree(tmp_path)
    path = root / module
    path.write_text(path.read_text(encoding="utf-8") + "\n\ndef _planted():\n    pass\n" + planted + "\n")
    assert violations(root), f"planting {planted!r} in {module} went unnoticed"
