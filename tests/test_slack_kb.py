"""The knowledge base from Slack, against the real server: a code's variants on its card (and
switching between them), and teaching it (adding an unknown code, editing the handling)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from knowledge.db import transaction
from knowledge.importer.load import import_page
from testing.slack.blocks import all_text, assert_block_kit_limits, assert_inert, headers_of
from testing.slack.requests import AppProcess, block_actions, uniq
from testing.slack.server import FakeSlack
from tests.conftest import SHARED_DIR

ADMIN = "UADMIN"


@pytest.fixture(scope="module")
def app(
    module_db: str, module_kb: Engine, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppProcess]:
    page = SHARED_DIR / "seeds" / "otc" / "api-gateway-error-codes.html"
    if not page.is_file():
        pytest.skip(f"the shared folder is not at {SHARED_DIR} (set HWERROR_SHARED_DIR)")
    with transaction(module_kb) as session:
        import_page(session, page, service="api-gateway", doc_url=None, actor="test")
    proc = AppProcess(
        db_url=module_db, slack=slack, cwd=tmp_path_factory.mktemp("cwd"), env={"HWERROR_ADMINS": ADMIN}
    )
    proc.start()
    yield proc
    proc.stop()


def _block(message: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in message["blocks"] if b.get("block_id") == block_id)


def _answer(slack: FakeSlack, response_url: str) -> dict[str, Any]:
    [shown] = slack.wait_for("response_url", lambda c: c.path.endswith(response_url.rsplit("/", 1)[1]))
    return shown.body


def test_the_card_says_how_many_variants_and_the_select_shows_another(
    app: AppProcess, slack: FakeSlack
) -> None:
    channel = uniq("CVAR")
    card = app.command("APIG.0201 Request entity too large", channel=channel).json()
    assert headers_of(card) == ["APIG.0201 Request entity too large."]
    block = _block(card, "c0.variants")
    assert "2 of 8 variants in 2 services" in block["text"]["text"]
    select = block["accessory"]
    assert select["type"] == "static_select" and len(select["options"]) == 8
    assert select["initial_option"] == select["options"][1]
    assert_block_kit_limits(card)
    assert_inert(card)

    response_url = slack.response_url(uniq("var"))
    chosen = {**select, "_block": block["block_id"], "_chosen": select["options"][5]}
    r = app.interact(
        block_actions(
            chosen, user="U1", channel=channel, response_url=response_url, message_=card, ephemeral=True
        )
    )
    assert r.status == 200
    shown = _answer(slack, response_url)
    assert shown["replace_original"] is True
    assert headers_of(shown) == ["APIG.0201 Backend timeout."]
    assert "6 of 8 variants" in all_text(shown) and "The backend service has timed out." in all_text(shown)


def test_a_code_with_one_entry_offers_no_variants(app: AppProcess) -> None:
    card = app.command("AIS.0027").json()
    assert not [b for b in card["blocks"] if b.get("block_id", "").endswith(".variants")]
