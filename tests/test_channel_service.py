"""A channel's service, through the application service on both databases: the default an admin
sets (shown, set, cleared, audited, refused to others), the services seen there lately, and how
both decide a code several services have only when the paste does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.core.actor import Actor, People
from bot.core.build import AppSettings, build_service
from bot.core.cards import RemedyCard, UnknownCard
from bot.core.channels import ChannelHints, ChannelSetting, describe
from bot.core.errors import BadRequest, NotAllowed
from bot.core.service import BotService
from bot.core.store import MessageRef
from bot.core.team import TeamCommand, parse
from bot.shell.render_team import team_renderable
from bot.slack.blocks.reply import reply_message
from bot.slack.blocks.team import team_message
from knowledge.bundled import load_bundled
from knowledge.db import make_engine, session_factory, transaction
from knowledge.importer.load import import_page
from knowledge.models import AuditEvent
from testing.answer import answer
from testing.slack.blocks import all_text
from tests.conftest import SHARED_DIR

WS = "T0001"
ADMIN = Actor("UADMIN", WS, "ada", admins=People.parse("UADMIN"), workspace=WS)
MEMBER = Actor("U2", WS, "bob", admins=People.parse("UADMIN"), workspace=WS)
OUTSIDER = Actor("UX", "TOTHER", "eve", admins=People.parse("UADMIN"), workspace=WS, external=True)
# ModelArts.4104 is in the bundled Content Moderation page and in ModelArts' own page, worded
# differently; this paste says nothing of which service answered.
SHARED = '{"error_code": "ModelArts.4104"}'


@pytest.fixture
def service(engine: Engine) -> Iterator[BotService]:
    page = SHARED_DIR / "seeds" / "otc" / "modelarts-error-codes.rst"
    if not page.is_file():
        pytest.skip(f"the shared folder is not at {SHARED_DIR} (set HWERROR_SHARED_DIR)")
    with transaction(engine) as session:
        load_bundled(session)
        import_page(session, page, service="modelarts", doc_url=None, actor="test")
    yield build_service(engine, AppSettings.from_env(), seen_ttl=None, batch_gaps=False)


def _set(service: BotService, actor: Actor, channel: str, arg: str) -> ChannelSetting:
    with service.sessions() as session:
        result = service.team(session, TeamCommand("channel", arg, channel), actor)
    assert isinstance(result, ChannelSetting)
    return result


def _paste(service: BotService, text: str, channel: str, ts: str) -> RemedyCard:
    with service.sessions() as session:
        reply = answer(service, session, text, MessageRef(channel, ts, ts), MEMBER)
        assert reply is not None
    [card] = reply.cards
    assert isinstance(card, RemedyCard)
    return card


def test_an_admins_default_decides_a_shared_code_in_that_channel_only(service: BotService) -> None:
    assert _paste(service, SHARED, "CMODEL", "1.1").open_services == ("content-moderation", "modelarts")
    setting = _set(service, ADMIN, "CMODEL", "service ModelArts")
    assert (setting.service, setting.changed, setting.previous) == ("modelarts", True, None)

    card = _paste(service, SHARED, "CMODEL", "1.2")
    assert (card.service, card.confident, card.open_services) == ("modelarts", True, ())
    # Another channel is not about ModelArts: the service stays open there.
    assert _paste(service, SHARED, "COTHER", "1.3").open_services == ("content-moderation", "modelarts")
    # The slash command and the shortcut read the channel they were used in, too.
    with service.sessions() as session:
        looked_up = service.lookup(session, "ModelArts.4104", MEMBER, channel="CMODEL").cards[0]
        explained = service.explain(session, SHARED, MEMBER, channel="CMODEL").cards[0]
    assert isinstance(looked_up, RemedyCard) and isinstance(explained, RemedyCard)
    assert looked_up.service == explained.service == "modelarts"

    with service.sessions() as session:
        [audit] = session.scalars(select(AuditEvent).where(AuditEvent.action == "channel_service")).all()
    assert audit.actor == "ada (UADMIN)" and audit.entry_id is None
    assert audit.changes == {"workspace": WS, "channel": "CMODEL", "service": [None, "modelarts"]}


def test_the_paste_and_single_service_codes_outrank_the_channel(service: BotService) -> None:
    _set(service, ADMIN, "CMODEL", "service modelarts")
    shown = "POST https://moderation.cn-north-4.myhuaweicloud.com/v3/x/moderation/text\n" + SHARED
    assert _paste(service, shown, "CMODEL", "2.1").service == "content-moderation"
    # AIS.0027 is Content Moderation's alone: a channel about ModelArts does not make it ModelArts'.
    only_one = '{"error_code": "AIS.0027", "error_msg": "The account has been frozen."}'
    assert _paste(service, only_one, "CMODEL", "2.2").service == "content-moderation"


def test_the_services_seen_lately_in_a_channel_decide_when_it_has_no_default(service: BotService) -> None:
    shown = "POST https://moderation.cn-north-4.myhuaweicloud.com/v3/x/moderation/text\n" + SHARED
    _paste(service, shown, "CSEEN", "3.1")  # an incident of Content Moderation, seen in the channel
    card = _paste(service, SHARED, "CSEEN", "3.2")
    assert (card.service, card.open_services) == ("content-moderation", ())
    setting = _set(service, MEMBER, "CSEEN", "")
    assert (setting.service, setting.recent) == (None, ("content-moderation",))
    # The default comes before what was seen.
    _set(service, ADMIN, "CSEEN", "service modelarts")
    assert _paste(service, SHARED, "CSEEN", "3.3").service == "modelarts"
    assert _set(service, MEMBER, "CSEEN", "").hints == ("modelarts", "content-moderation")


def test_only_admins_set_it_unknown_services_are_refused_with_the_list_and_none_clears_it(
    service: BotService,
) -> None:
    with pytest.raises(NotAllowed, match="HWERROR_ADMINS"):
        _set(service, MEMBER, "CSET", "service modelarts")
    with pytest.raises(NotAllowed):
        _set(service, OUTSIDER, "CSET", "")
    with pytest.raises(BadRequest) as refused:
        _set(service, ADMIN, "CSET", "service Quantum Widgets")
    # The list names the knowledge base's services and the catalogue's.
    assert "'Quantum Widgets' is not a service" in str(refused.value)
    assert "content-moderation" in str(refused.value) and "ocr" in str(refused.value)
    with pytest.raises(BadRequest, match="/hwerror channel service"):
        _set(service, ADMIN, "CSET", "flavour ocr")

    # A service of Huawei Cloud's catalogue may be set before the knowledge base has its codes.
    assert _set(service, ADMIN, "CSET", "service Optical Character Recognition").service == "ocr"
    again = _set(service, ADMIN, "CSET", "service ocr")
    assert again.changed is False
    cleared = _set(service, ADMIN, "CSET", "service none")
    assert (cleared.service, cleared.changed, cleared.previous) == (None, True, "ocr")
    assert _paste(service, SHARED, "CSET", "4.1").open_services == ("content-moderation", "modelarts")
    with service.sessions() as session:
        changes = session.scalars(
            select(AuditEvent.changes).where(AuditEvent.action == "channel_service").order_by(AuditEvent.id)
        ).all()
    assert [c["service"] for c in changes] == [[None, "ocr"], ["ocr", None]]


def test_slack_and_the_shell_say_the_same_of_a_channels_service() -> None:
    assert parse("channel service OCR", "C1") == TeamCommand("channel", "service OCR", "C1")
    setting = ChannelSetting("C1", "ocr", ("content-moderation",), changed=True)
    lines = describe(setting)
    assert lines[0].startswith("This channel's service is now Optical Character Recognition (ocr)")
    assert lines[1] == "Seen here in the last 14 days: Content Moderation (content-moderation)."
    slack_text = all_text(team_message(setting).kwargs())
    assert all(line in slack_text for line in lines)
    assert str(team_renderable(setting)) == "\n".join(lines)


def test_people_from_outside_the_workspace_are_not_offered_to_teach_an_unknown_code(
    service: BotService,
) -> None:
    gap = '{"error_code": "AIS.0999", "error_msg": "Quota exceeded"}'
    with service.sessions() as session:
        inside = service.lookup(session, gap, MEMBER)
        outside = service.lookup(session, gap, OUTSIDER)
        shared_channel = answer(
            service, session, gap, MessageRef("CSHARED", "5.1", "5.1"), MEMBER, public=True
        )
    assert shared_channel is not None
    for reply, offered in ((inside, True), (outside, False), (shared_channel, False)):
        [card] = reply.cards
        assert isinstance(card, UnknownCard) and card.public is not offered
        message = reply_message(reply, ephemeral=True).kwargs()
        actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert ("hwerror_teach" in actions) is offered
        assert ("Recorded as a knowledge gap" in all_text(message)) is offered


def test_a_channel_gives_no_hints_rather_than_an_error_while_the_database_is_away(tmp_path: Path) -> None:
    gone = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'hwerror.db'}")
    assert ChannelHints(session_factory(gone)).hints(WS, "C1") == ()
