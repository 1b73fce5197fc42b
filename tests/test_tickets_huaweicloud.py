"""The Huawei Cloud backend: a console link without credentials; OSM cases through the real SDK with them.

With credentials, huaweicloudsdkosm itself signs (SDK-HMAC-SHA256) and sends the requests to a
local OSM fake that answers in OSM's JSON shapes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.backends import TicketView, make_backend
from bot.core.incidents.backends.huaweicloud import (
    DESCRIPTION_MAX,
    SOURCE_ID,
    HuaweiCloudBackend,
    OsmConfig,
    case_description,
    console_link,
    key_marker,
)
from bot.core.incidents.config import TicketSettings
from bot.core.incidents.models import OutboxItem, Ticket
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.outbox.queue import enqueue_comment
from bot.core.incidents.outbox.worker import OutboxWorker
from bot.core.incidents.tickets import resolve_ticket
from knowledge.clock import utcnow
from knowledge.db import transaction
from testing.tickets import OsmFake, open_ticket, running, ticket_row

AK = "HPUATESTACCESSKEY0001"
SK = "sk-secret-value-never-logged-0123456789"
TIMEOUT = 0.5


@pytest.fixture
def osm() -> Iterator[OsmFake]:
    with running(OsmFake(ak=AK)) as fake:
        yield fake


def backend_for(fake: OsmFake) -> HuaweiCloudBackend:
    config = OsmConfig(
        ak=AK,
        sk=SK,
        business_type_id="bt-0001",
        endpoint=fake.url,
        domain_id="dom-0001",
        project_id="proj-0001",
    )
    return HuaweiCloudBackend(region="ap-southeast-1", osm=config, timeout=TIMEOUT)


def worker_for(engine: Engine, backend: HuaweiCloudBackend, **kwargs: object) -> OutboxWorker:
    options: dict[str, object] = {
        "max_attempts": 5,
        "backoff": Backoff(timedelta(seconds=10), timedelta(minutes=5)),
        "secrets": [AK, SK],
        "jitter": lambda: 0.0,
    }
    options.update(kwargs)
    return OutboxWorker(engine, backend, **options)  # type: ignore[arg-type]


def items(engine: Engine) -> list[OutboxItem]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        session.expunge_all()
        return rows


def view(**changes: object) -> TicketView:
    data: dict[str, object] = {
        "ticket_id": 7,
        "workspace": "T0TEAM",
        "service": "content-moderation",
        "code": "AIS.0003",
        "message": "Failed to complete the request because of an internal service error.",
        "handling": "Contact HUAWEI CLOUD technical support.",
        "reason": "seen 2 times in 24 h, and only Huawei support can fix it",
        "incident_count": 2,
        "channels": ("C0TICKET01",),
        "first_seen": datetime(2026, 11, 20, 8, 15, 0, tzinfo=UTC),
        "last_seen": datetime(2026, 11, 20, 9, 45, 30, tzinfo=UTC),
        "request_ids": ("req-aaaa", "req-bbbb"),
    }
    data.update(changes)
    return TicketView(**data)  # type: ignore[arg-type]


# -- without credentials ---------------------------------------------------------------------------


def test_without_credentials_no_call_is_made_and_the_ticket_stays_ours(kb: Engine) -> None:
    ticket_id = open_ticket(kb, "huaweicloud")
    backend = make_backend(TicketSettings(ticket_backend="huaweicloud"))
    assert isinstance(backend, HuaweiCloudBackend) and backend.osm is None
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        enqueue_comment(session, ticket, "a note")
    # No server exists at all: any call would fail and be retried instead of done.
    assert OutboxWorker(kb, backend).run_once().done == 2
    assert ticket_row(kb, ticket_id).external_id is None


def test_the_console_link_carries_code_request_ids_times_and_region() -> None:
    link = console_link(view(), "ap-southeast-1")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "console-intl.huaweicloud.com", "/ticket/")
    assert parts.fragment == "/ticketindex/createIndex"
    query = parse_qs(parts.query)
    assert query["region"] == ["ap-southeast-1"]
    [description] = query["description"]
    assert "AIS.0003" in description
    assert "content-moderation" in description
    assert "Region: ap-southeast-1" in description
    assert "Request IDs: req-aaaa, req-bbbb" in description
    assert "first 2026-11-20 08:15:00 UTC, last 2026-11-20 09:45:30 UTC" in description
    # Chinese mainland regions have a console of their own.
    assert urlsplit(console_link(view(), "cn-north-4")).netloc == "console.huaweicloud.com"


def test_a_description_fits_osm_limit_keeping_as_many_request_ids_as_fit() -> None:
    many = tuple(f"req-{i:032d}" for i in range(200))
    text = case_description(view(request_ids=many), "ap-southeast-1", marker="hwerror-abc")
    assert len(text) <= DESCRIPTION_MAX
    assert text.endswith("[hwerror-abc]")
    assert "req-00000000000000000000000000000000" in text
    assert "req-00000000000000000000000000000199" not in text
    assert len(console_link(view(request_ids=many), "ap-southeast-1")) < 4000


# -- with credentials, through the SDK -------------------------------------------------------------


def test_create_sends_a_signed_create_cases_and_stores_the_case_id(kb: Engine, osm: OsmFake) -> None:
    ticket_id = open_ticket(kb, "huaweicloud")
    assert worker_for(kb, backend_for(osm)).run_once().done == 1

    [case] = osm.cases.values()
    [item] = items(kb)
    assert case["business_type_id"] == "bt-0001"
    assert case["source_id"] == SOURCE_ID
    assert case["region_id"] == "ap-southeast-1"
    assert case["project_id"] == "proj-0001"
    assert "AIS.0003" in case["simple_description"]
    assert "req-0001" in case["simple_description"]
    assert f"[{key_marker(item.idempotency_key)}]" in case["simple_description"]
    create = next(r for r in osm.requests if r.method == "POST")
    assert create.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")
    assert create.headers["X-Domain-Id"] == "dom-0001"
    assert SK not in str(create.headers)
    ticket = ticket_row(kb, ticket_id)
    assert ticket.external_id == case["incident_id"]
    assert ticket.external_url and "incidentId=" + case["incident_id"] in ticket.external_url


def test_a_case_created_but_whose_answer_was_lost_is_found_not_duplicated(kb: Engine, osm: OsmFake) -> None:
    ticket_id = open_ticket(kb, "huaweicloud")
    osm.lose_response(TIMEOUT * 3, method="POST", path="^/v2/servicerequest/cases$")
    worker = worker_for(kb, backend_for(osm))
    now = utcnow()
    assert worker.run_once(now=now).retried == 1
    [item] = items(kb)
    assert item.last_error == f"OSM CreateCases timed out after {TIMEOUT:g} s"
    assert worker.run_once(now=now + timedelta(minutes=1)).done == 1
    assert len(osm.cases) == 1
    assert ticket_row(kb, ticket_id).external_id == next(iter(osm.cases))


def test_rejected_credentials_are_dead_at_once_and_keys_are_not_in_the_error(
    kb: Engine, osm: OsmFake
) -> None:
    open_ticket(kb, "huaweicloud")
    osm.ak = "SOME-OTHER-AK"  # the fake now refuses our AK
    assert worker_for(kb, backend_for(osm)).run_once().dead == 1
    [item] = items(kb)
    assert item.attempts == 1
    assert "401" in (item.last_error or "")
    assert AK not in (item.last_error or "") and SK not in (item.last_error or "")
    assert osm.cases == {}


def test_an_osm_server_error_is_retried(kb: Engine, osm: OsmFake) -> None:
    open_ticket(kb, "huaweicloud")
    osm.fail(500, method="POST")
    worker = worker_for(kb, backend_for(osm))
    now = utcnow()
    assert worker.run_once(now=now).retried == 1
    [item] = items(kb)
    assert item.last_error and item.last_error.startswith("OSM CreateCases answered 500")
    assert worker.run_once(now=now + timedelta(minutes=1)).done == 1
    assert len(osm.cases) == 1


def test_comments_and_resolution_become_case_messages_once_each(kb: Engine, osm: OsmFake) -> None:
    ticket_id = open_ticket(kb, "huaweicloud")
    worker = worker_for(kb, backend_for(osm))
    assert worker.run_once().done == 1
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        enqueue_comment(session, ticket, "Seen again in <#C0OTHER001>.")
    osm.lose_response(TIMEOUT * 3, method="POST", path="/message$")
    now = utcnow()
    assert worker.run_once(now=now).retried == 1
    assert worker.run_once(now=now + timedelta(minutes=1)).done == 1
    with transaction(kb) as session:
        resolve_ticket(session, ticket_id, "U0LEAD")
    assert worker.run_once().done == 1

    [messages] = osm.messages.values()
    assert [m.splitlines()[0] for m in messages] == [
        "Seen again in <#C0OTHER001>.",
        "Resolved in hwerror by U0LEAD.",
    ]


def test_make_backend_reads_the_osm_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWERROR_TICKET_BACKEND", "huaweicloud")
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_AK", AK)
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_SK", SK)
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_BUSINESS_TYPE_ID", "bt-0001")
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_OSM_ENDPOINT", "https://osm.example.test")
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_REGION", "eu-west-101")
    backend = make_backend(TicketSettings())
    assert isinstance(backend, HuaweiCloudBackend)
    assert backend.region == "eu-west-101"
    assert backend.osm is not None
    assert (backend.osm.ak, backend.osm.sk, backend.osm.endpoint) == (AK, SK, "https://osm.example.test")


def test_half_a_key_pair_is_refused_naming_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWERROR_TICKET_BACKEND", "huaweicloud")
    monkeypatch.setenv("HWERROR_HUAWEICLOUD_AK", AK)
    with pytest.raises(ValueError, match="HWERROR_HUAWEICLOUD_SK, HWERROR_HUAWEICLOUD_BUSINESS_TYPE_ID"):
        TicketSettings()
