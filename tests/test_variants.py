"""A code with several variants: the words typed beside it pick the variant, and the card says
how many variants there are and offers the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.core.cards import RemedyCard
from bot.core.pipeline import Pipeline
from knowledge.catalogue import Catalogue
from knowledge.db import session_factory, transaction
from knowledge.importer.load import import_page
from testing.cli import run_cli


@pytest.fixture
def gateway(kb: Engine, shared_dir: Path) -> Pipeline:
    """The bundled Content Moderation codes and the OTC API Gateway page (APIG.0201: seven
    variants in API Gateway, one more in Content Moderation)."""
    page = shared_dir / "seeds" / "otc" / "api-gateway-error-codes.html"
    with transaction(kb) as session:
        import_page(session, page, service="api-gateway", doc_url=None, actor="test")
    return Pipeline(Catalogue(kb).matcher)


def _card(pipeline: Pipeline, engine: Engine, text: str) -> RemedyCard:
    with session_factory(engine)() as session:
        [card] = pipeline.lookup(session, text).cards
    assert isinstance(card, RemedyCard)
    return card


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("APIG.0201 Request entity too large", 413, "Request entity too large."),
        ("apig 201 request uri too large", 414, "Request URI too large."),
        ("APIG.0201: Backend timeout", 504, "Backend timeout."),
    ],
)
def test_words_after_the_code_pick_the_variant_whose_message_they_name(
    gateway: Pipeline, kb: Engine, text: str, status: int, message: str
) -> None:
    card = _card(gateway, kb, text)
    assert (card.service, card.code, card.entry.status, card.entry.message) == (
        "api-gateway",
        "APIG.0201",
        status,
        message,
    )
    assert card.confident and not card.open_services


def test_words_that_name_no_variant_change_nothing(gateway: Pipeline, kb: Engine) -> None:
    plain = _card(gateway, kb, "APIG.0201")
    other = _card(gateway, kb, "APIG.0201 happens in prod since Monday")
    assert other.key == plain.key and other.open_services == plain.open_services
    assert plain.open_services == ("api-gateway", "content-moderation")


def test_the_card_lists_every_variant_of_its_code_and_where_it_stands(gateway: Pipeline, kb: Engine) -> None:
    card = _card(gateway, kb, "APIG.0201 Request entity too large")
    assert len(card.variants) == 8 and card.variant_number == 2
    assert [(c.service, c.status) for c in card.variants][:3] == [
        ("api-gateway", 400),
        ("api-gateway", 413),
        ("api-gateway", 414),
    ]
    assert card.variants[-1].service == "content-moderation"
    # A card asked for by key (a pick, a vote, the variants select) knows them too.
    with session_factory(kb)() as session:
        picked = gateway.card(session, card.variants[5].key)
    assert picked is not None and picked.entry.message == "Backend timeout." and picked.variant_number == 6
    # A code with one entry has no variants to offer.
    assert _card(gateway, kb, "AIS.0027").variants == ()


def test_hwerror_lookup_says_how_many_variants_and_lists_them(db_url: str, shared_dir: Path) -> None:
    run_cli("db", "upgrade", db_url=db_url)
    page = str(shared_dir / "seeds" / "otc" / "api-gateway-error-codes.html")
    assert run_cli("kb", "import", page, "--service", "api-gateway", db_url=db_url).returncode == 0
    out = run_cli("lookup", "APIG.0201", db_url=db_url).stdout
    assert "1 of 8 variants" in out
    for message in ("Request entity too large.", "Backend timeout.", "The request body is oversized."):
        assert message in out
    chosen = run_cli("lookup", "APIG.0201", "Backend", "timeout", db_url=db_url).stdout
    assert "6 of 8 variants" in chosen and "The backend service has timed out." in chosen
