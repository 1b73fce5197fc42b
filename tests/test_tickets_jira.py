"""The Jira backend against a local Jira fake: one issue per ticket whatever fails, comments, transitions."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.backends import make_backend
from bot.core.incidents.backends.jira import JiraBackend, key_label
from bot.core.incidents.config import TicketSettings
from bot.core.incidents.models import Incident, OutboxItem, Ticket
from bot.core.incidents.outbox.calls import Backoff
from bot.core.incidents.outbox.queue import enqueue_attached
from bot.core.incidents.outbox.worker import OutboxWorker
from bot.core.incidents.tickets import resolve_ticket
from knowledge.clock import utcnow
from knowledge.db import transaction
from testing.tickets import JiraFake, open_ticket, running, ticket_row

EMAIL = "ops@example.com"
TOKEN = "jira-api-token-5ecr3t"
TIMEOUT = 0.4


@pytest.fixture
def jira() -> Iterator[JiraFake]:
    with running(JiraFake(token=TOKEN, email=EMAIL)) as fake:
        yield fake


def backend_for(fake: JiraFake, **kwargs: object) -> JiraBackend:
    options: dict[str, object] = {"project": "OPS", "token": TOKEN, "email": fake.email, "timeout": TIMEOUT}
    options.update(kwargs)
    return JiraBackend(fake.url, **options)  # type: ignore[arg-type]


def worker_for(engine: Engine, backend: JiraBackend, **kwargs: object) -> OutboxWorker:
    options: dict[str, object] = {
        "max_attempts": 5,
        "backoff": Backoff(timedelta(seconds=10), timedelta(minutes=5)),
        "secrets": [TOKEN],
        "jitter": lambda: 0.0,
    }
    options.update(kwargs)
    return OutboxWorker(engine, backend, **options)  # type: ignore[arg-type]


def items(engine: Engine) -> list[OutboxItem]:
    with transaction(engine) as session:
        rows = list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))
        session.expunge_all()
        return rows


def test_cloud_create_opens_one_labelled_issue_with_basic_auth(kb: Engine, jira: JiraFake) -> None:
    ticket_id = open_ticket(kb, "jira")
    assert worker_for(kb, backend_for(jira)).run_once().done == 1

    [issue] = jira.issues.values()
    [item] = items(kb)
    assert issue.fields["project"] == {"key": "OPS"}
    assert issue.fields["issuetype"] == {"name": "Bug"}
    assert issue.fields["summary"].startswith("[hwerror] content-moderation AIS.0003: Failed to complete")
    assert set(issue.fields["labels"]) == {"hwerror", key_label(item.idempotency_key)}
    assert "req-0001" in issue.fields["description"]
    assert "C0TICKET01" in issue.fields["description"]
    basic = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert {r.headers["Authorization"] for r in jira.requests} == {basic}
    # Cloud searches with the enhanced endpoint (the old /search is gone there).
    assert [r.path for r in jira.requests] == ["/rest/api/2/search/jql", "/rest/api/2/issue"]
    ticket = ticket_row(kb, ticket_id)
    assert (ticket.external_id, ticket.external_url) == ("OPS-1", f"{jira.url}/browse/OPS-1")


def test_server_uses_a_bearer_token_and_the_classic_search(kb: Engine) -> None:
    with running(JiraFake(token=TOKEN)) as server:
        open_ticket(kb, "jira")
        assert worker_for(kb, backend_for(server, email=None)).run_once().done == 1
        assert {r.headers["Authorization"] for r in server.requests} == {f"Bearer {TOKEN}"}
        assert [r.path for r in server.requests] == ["/rest/api/2/search", "/rest/api/2/issue"]
        assert list(server.issues) == ["OPS-1"]


def test_a_search_endpoint_that_is_missing_falls_back_to_the_other(kb: Engine) -> None:
    # A Data Center behind an email-based proxy: configured like Cloud, but only /search exists.
    with running(JiraFake(token=TOKEN, email=EMAIL, cloud=False)) as fake:
        open_ticket(kb, "jira")
        assert worker_for(kb, backend_for(fake)).run_once().done == 1
        assert [r.path for r in fake.requests] == [
            "/rest/api/2/search/jql",
            "/rest/api/2/search",
            "/rest/api/2/issue",
        ]


def test_an_issue_created_but_whose_answer_was_lost_is_found_by_its_label(kb: Engine, jira: JiraFake) -> None:
    ticket_id = open_ticket(kb, "jira")
    jira.lose_response(TIMEOUT * 3, method="POST", path=r"^/rest/api/2/issue$")
    worker = worker_for(kb, backend_for(jira))
    now = utcnow()
    assert worker.run_once(now=now).retried == 1
    assert list(jira.issues) == ["OPS-1"]  # Jira made it; we never heard
    assert ticket_row(kb, ticket_id).external_id is None

    assert worker.run_once(now=now + timedelta(minutes=1)).done == 1
    assert list(jira.issues) == ["OPS-1"]  # found by the label, not created again
    assert ticket_row(kb, ticket_id).external_id == "OPS-1"
    creates = [r for r in jira.requests if r.method == "POST" and r.path == "/rest/api/2/issue"]
    assert len(creates) == 1


def test_a_server_error_on_create_is_retried_and_opens_one_issue(kb: Engine, jira: JiraFake) -> None:
    open_ticket(kb, "jira")
    jira.fail(502, times=2, method="POST")
    worker = worker_for(kb, backend_for(jira))
    now = utcnow()
    for step in range(3):
        worker.run_once(now=now + timedelta(hours=step))
    [item] = items(kb)
    assert (item.status, item.attempts) == ("done", 3)
    assert list(jira.issues) == ["OPS-1"]


def test_a_wrong_token_is_dead_at_once_and_the_token_is_not_in_the_error(kb: Engine, jira: JiraFake) -> None:
    open_ticket(kb, "jira")
    summary = worker_for(
        kb, backend_for(jira, token="wrong-token-value"), secrets=["wrong-token-value"]
    ).run_once()
    assert summary.dead == 1
    [item] = items(kb)
    assert (item.status, item.attempts) == ("dead", 1)
    assert item.last_error == "Jira GET /rest/api/2/search/jql answered 401: You are not authenticated."
    assert jira.issues == {}


def test_secrets_echoed_by_a_misbehaving_server_never_reach_the_database(kb: Engine, jira: JiraFake) -> None:
    open_ticket(kb, "jira")
    jira.echo(400)  # a proxy that repeats the request's headers, Authorization included
    worker = worker_for(kb, backend_for(jira))
    assert worker.run_once().dead == 1
    [item] = items(kb)
    basic = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    assert "answered 400" in (item.last_error or "")
    assert "***" in (item.last_error or "")
    assert TOKEN not in (item.last_error or "")
    assert basic not in (item.last_error or "")


def test_attached_incidents_become_one_comment_each_even_after_a_lost_answer(
    kb: Engine, jira: JiraFake
) -> None:
    ticket_id = open_ticket(kb, "jira")
    worker = worker_for(kb, backend_for(jira))
    now = utcnow()
    assert worker.run_once(now=now).done == 1
    open_ticket(kb, "jira", channel="C0OTHER001", message_key="1700000500.000001", request_id="req-0002")
    with transaction(kb) as session:
        ticket = session.get(Ticket, ticket_id)
        incident = session.scalars(select(Incident).where(Incident.request_id == "req-0002")).one()
        assert ticket is not None
        enqueue_attached(session, ticket, incident)
    jira.lose_response(TIMEOUT * 3, method="POST", path="/comment$")
    now = utcnow()
    assert worker.run_once(now=now).retried == 1
    assert worker.run_once(now=now + timedelta(minutes=1)).done == 1

    [comment] = jira.issues["OPS-1"].comments
    assert comment.startswith("Seen again in <#C0OTHER001>, request id req-0002.")


def test_resolving_comments_and_moves_the_issue_then_a_regression_reopens_it(
    kb: Engine, jira: JiraFake
) -> None:
    ticket_id = open_ticket(kb, "jira")
    backend = backend_for(jira, resolve_transition="Done", reopen_transition="Reopen")
    worker = worker_for(kb, backend)
    assert worker.run_once().done == 1
    with transaction(kb) as session:
        resolve_ticket(session, ticket_id, "U0LEAD")
    assert worker.run_once().done == 1
    issue = jira.issues["OPS-1"]
    assert issue.status == "Done"
    assert issue.comments[-1].startswith("Resolved in hwerror by U0LEAD.")

    open_ticket(kb, "jira", message_key="1700000900.000001", request_id="req-0003")
    assert worker.run_once().done == 1
    assert issue.status == "Open"
    assert "regression" in issue.comments[-1]
    assert list(jira.issues) == ["OPS-1"]  # the same issue, not a second one


def test_a_comment_on_a_ticket_whose_create_died_is_dead_with_a_reason(kb: Engine, jira: JiraFake) -> None:
    ticket_id = open_ticket(kb, "jira")
    jira.fail(400, method="POST")
    worker = worker_for(kb, backend_for(jira))
    assert worker.run_once().dead == 1
    with transaction(kb) as session:
        resolve_ticket(session, ticket_id, "U0LEAD")
    assert worker.run_once().dead == 1
    create, resolve = items(kb)
    assert resolve.last_error == "the ticket has no Jira issue: its creation did not succeed"


def test_make_backend_builds_jira_from_the_environment(
    jira: JiraFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWERROR_TICKET_BACKEND", "jira")
    monkeypatch.setenv("HWERROR_JIRA_URL", jira.url + "/")
    monkeypatch.setenv("HWERROR_JIRA_PROJECT", "OPS")
    monkeypatch.setenv("HWERROR_JIRA_TOKEN", TOKEN)
    monkeypatch.setenv("HWERROR_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("HWERROR_JIRA_RESOLVE_TRANSITION", "Done")
    backend = make_backend(TicketSettings())
    assert isinstance(backend, JiraBackend)
    assert (backend.base_url, backend.project, backend.resolve_transition) == (jira.url, "OPS", "Done")
