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
