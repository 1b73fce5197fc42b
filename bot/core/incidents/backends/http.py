"""One HTTP call with the outbox's error classes: the standard library, a timeout on every call.

2xx is returned; 408, 425, 429 and 5xx, a refused connection and a timeout are BackendUnavailable
(retried); any other answer is BackendRejected (dead at once). Redirects are not followed: a POST
redirected is a misconfigured URL, and following it could replay the request somewhere else.
Messages name the system and the path, never a URL's query, a header or a secret.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.core.incidents.backends import BackendRejected, BackendUnavailable

USER_AGENT = "hwerror/0.1 (+ticket outbox)"
RETRYABLE = frozenset({408, 425, 429})
_SNIPPET = 300


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError, which we classify


_OPENER = urllib.request.build_opener(_NoRedirect)


def scrub(text: str, secrets: Collection[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def request(
    system: str,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float,
    accept: Collection[int] = (),
    secrets: Collection[str] = (),
    show_path: bool = True,
) -> Response:
    """Make the call. Statuses in `accept` are returned rather than raised (a search's 404, say).

    `show_path=False` keeps the path out of messages, for URLs whose path is itself a secret.
    """
    path = urlsplit(url).path or "/"
    what = f"{system} {method} {path}" if show_path else f"{system} {method}"
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("User-Agent", USER_AGENT)
    req.add_header("Accept", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Response(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as exc:
        try:
            payload = exc.read()
        except (OSError, http.client.HTTPException):
            payload = b""
        answer = Response(exc.code, dict(exc.headers.items()) if exc.headers else {}, payload)
        if exc.code in accept:
            return answer
        detail = scrub(_snippet(payload), secrets)
        message = f"{what} answered {exc.code}" + (f": {detail}" if detail else "")
        if exc.code in RETRYABLE or exc.code >= 500:
            wait = retry_after_seconds(answer.headers.get("Retry-After"))
            raise BackendUnavailable(message, retry_after=wait) from None
        raise BackendRejected(message) from None
    except TimeoutError:  # socket.timeout is an alias of it
        raise BackendUnavailable(f"{what} timed out after {timeout:g} s") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise BackendUnavailable(f"{what} timed out after {timeout:g} s") from None
        raise BackendUnavailable(f"{what} failed: {scrub(str(reason), secrets)}") from None
    except (OSError, http.client.HTTPException) as exc:
        # Connection reset, the server closing without an answer, a truncated body.
        raise BackendUnavailable(f"{what} failed: {type(exc).__name__}: {scrub(str(exc), secrets)}") from None


def json_body(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _snippet(payload: bytes) -> str:
    text = payload.decode("utf-8", "replace").strip()
    data: Any = None
    with contextlib.suppress(ValueError):
        data = json.loads(text) if text else None
    if isinstance(data, dict):
        # Jira's {"errorMessages": [...], "errors": {...}} and the usual {"message": ...} shapes.
        parts = [str(m) for m in data.get("errorMessages") or []]
        parts += (
            [f"{k}: {v}" for k, v in (data.get("errors") or {}).items()]
            if isinstance(data.get("errors"), dict)
            else []
        )
        for key in ("error_msg", "message", "error"):
            if not parts and data.get(key):
                parts.append(str(data[key]))
        if parts:
            text = "; ".join(parts)
    text = " ".join(text.split())
    return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")
