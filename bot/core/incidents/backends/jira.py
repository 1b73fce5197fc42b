"""Jira (REST API v2): an issue per ticket, a comment per event, an optional workflow transition.

Auth: Jira Cloud takes Basic email:API-token; Server and Data Center take a personal access token
as Bearer, which is what we send when no email is configured.

Jira has no idempotency header, so a create carries a label derived from the idempotency key and
is preceded by a search for that label: a retry after a lost response finds the issue it made.
Comments carry the same kind of marker and are skipped when an earlier attempt already posted them.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any
from urllib.parse import quote, urlencode

from bot.core.incidents.backends import BackendRejected, BackendUnavailable, ExternalRef, TicketView
from bot.core.incidents.backends.http import Response, json_body, request

log = logging.getLogger("hwerror.tickets.jira")

_API = "/rest/api/2"
_SUMMARY_MAX = 250  # Jira refuses summaries over 255 characters


def key_label(idempotency_key: str) -> str:
    """The label that marks the issue one create call made: stable across retries, valid in JQL."""
    return "hwerror-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:20]


class JiraBackend:
    name = "jira"

    def __init__(
        self,
        base_url: str,
        *,
        project: str,
        token: str,
        email: str | None = None,
        issue_type: str = "Bug",
        resolve_transition: str | None = None,
        reopen_transition: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.project = project
        self.issue_type = issue_type
        self.resolve_transition = resolve_transition
        self.reopen_transition = reopen_transition
        self.timeout = timeout
        self._token = token
        self._cloud = bool(email)
        if email:
            basic = base64.b64encode(f"{email}:{token}".encode()).decode("ascii")
            self._auth = f"Basic {basic}"
        else:
            self._auth = f"Bearer {token}"

    # -- the protocol ------------------------------------------------------------------------

    def create(self, ticket: TicketView, idempotency_key: str) -> ExternalRef | None:
        label = key_label(idempotency_key)
        found = self._find_by_label(label)
        if found is not None:
            return found
        fields = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": summary(ticket),
            "description": description(ticket),
            "labels": ["hwerror", label],
        }
        answer = self._call("POST", f"{_API}/issue", {"fields": fields}).json()
        if not isinstance(answer, dict) or not answer.get("key"):
            raise BackendUnavailable("Jira POST /rest/api/2/issue answered without an issue key")
        return self._ref(str(answer["key"]))

    def reopen(self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str) -> ExternalRef | None:
        if ref is None:
            return self.create(ticket, idempotency_key)
        text = (
            f"This error is back after the ticket was resolved (regression): {ticket.reason}. {_seen(ticket)}"
        )
        self.comment(ticket, ref, text, idempotency_key)
        if self.reopen_transition:
            self._transition(ref.external_id, self.reopen_transition)
        return ref

    def comment(self, ticket: TicketView, ref: ExternalRef | None, text: str, idempotency_key: str) -> None:
        key = self._issue_key(ref)
        marker = f"[{key_label(idempotency_key)}]"
        if self._has_comment(key, marker):
            return
        self._call("POST", f"{_API}/issue/{quote(key)}/comment", {"body": f"{text}\n\n{marker}"})

    def resolve(
        self, ticket: TicketView, ref: ExternalRef | None, idempotency_key: str, note: str | None = None
    ) -> None:
        self.comment(ticket, ref, note or "Resolved in hwerror.", idempotency_key)
        if self.resolve_transition:
            self._transition(self._issue_key(ref), self.resolve_transition)

    # -- helpers -----------------------------------------------------------------------------

    def _ref(self, key: str) -> ExternalRef:
        return ExternalRef(key, f"{self.base_url}/browse/{key}")

    def _issue_key(self, ref: ExternalRef | None) -> str:
        if ref is None:
            # Nothing to comment on: the create never succeeded (it is dead, with its own error).
            raise BackendRejected("the ticket has no Jira issue: its creation did not succeed")
        return ref.external_id

    def _find_by_label(self, label: str) -> ExternalRef | None:
        jql = f'project = "{self.project}" AND labels = "{label}"'
        query = urlencode({"jql": jql, "fields": "key", "maxResults": "1"})
        # Jira Cloud removed GET /search in favour of /search/jql; Server and Data Center only have
        # /search. Try the likely one first and the other when it is missing.
        paths = [f"{_API}/search/jql", f"{_API}/search"]
        if not self._cloud:
            paths.reverse()
        for path in paths:
            response = self._call("GET", f"{path}?{query}", accept=(404, 410))
            if response.status in (404, 410):
                continue
            answer = response.json()
            issues = answer.get("issues") if isinstance(answer, dict) else None
            if issues:
                return self._ref(str(issues[0]["key"]))
            return None
        raise BackendRejected("Jira has neither /rest/api/2/search/jql nor /rest/api/2/search")

    def _has_comment(self, key: str, marker: str) -> bool:
        query = urlencode({"orderBy": "-created", "maxResults": "100"})
        answer = self._call("GET", f"{_API}/issue/{quote(key)}/comment?{query}").json()
        comments = answer.get("comments", []) if isinstance(answer, dict) else []
        return any(marker in str(c.get("body", "")) for c in comments if isinstance(c, dict))

    def _transition(self, key: str, name: str) -> None:
        answer = self._call("GET", f"{_API}/issue/{quote(key)}/transitions").json()
        transitions = answer.get("transitions", []) if isinstance(answer, dict) else []
        wanted = name.casefold()
        for t in transitions:
            target = str((t.get("to") or {}).get("name", ""))
            if wanted in (str(t.get("name", "")).casefold(), target.casefold()):
                self._call("POST", f"{_API}/issue/{quote(key)}/transitions", {"transition": {"id": t["id"]}})
                return
        # Not offered: the issue is already there (a retried call), or the workflow names it otherwise.
        log.warning("Jira issue %s offers no transition %r; left as it is", key, name)

    def _call(
        self, method: str, path: str, data: object | None = None, accept: tuple[int, ...] = ()
    ) -> Response:
        headers = {"Authorization": self._auth}
        body = None
        if data is not None:
            headers["Content-Type"] = "application/json"
            body = json_body(data)
        return request(
            "Jira",
            method,
            self.base_url + path,
            headers=headers,
            body=body,
            timeout=self.timeout,
            accept=accept,
            secrets=(self._token, self._auth),
        )


def summary(ticket: TicketView) -> str:
    text = f"[hwerror] {ticket.service} {ticket.code}: {ticket.message or 'recurring error'}"
    text = " ".join(text.split())
    return text if len(text) <= _SUMMARY_MAX else text[: _SUMMARY_MAX - 1] + "…"


def description(ticket: TicketView) -> str:
    lines: list[Any] = [
        f"h3. {ticket.code} ({ticket.service}) keeps recurring",
        f"*Why escalated:* {ticket.reason}",
        f"*Message:* {ticket.message}" if ticket.message else None,
        f"*What to do:* {ticket.handling}" if ticket.handling else None,
        f"*Seen:* {_seen(ticket)}",
        f"*Request ids:* {', '.join(ticket.request_ids)}" if ticket.request_ids else None,
        f"*Documentation:* {ticket.doc_url}" if ticket.doc_url else None,
        f"_Opened by hwerror for workspace {ticket.workspace}, ticket {ticket.ticket_id}._",
    ]
    return "\n".join(line for line in lines if line)


def _seen(ticket: TicketView) -> str:
    channels = ", ".join(ticket.channels) or "no channel"
    return (
        f"{ticket.incident_count} times in {len(ticket.channels)} channel(s) ({channels}), "
        f"first {ticket.first_seen:%Y-%m-%d %H:%M} UTC, last {ticket.last_seen:%Y-%m-%d %H:%M} UTC"
    )
