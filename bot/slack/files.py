"""The full text of snippets whose preview is cut off (`preview_is_truncated`).

The file is read from its private URL with the bot token (`files:read`), only from Slack's own
file hosts (or the configured API host, for tests and proxies), capped in size and time: a
pasted log whose error is past the preview still gets its answer, and nothing else is fetched.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient

log = logging.getLogger("hwerror.slack.files")

MAX_BYTES = 1_000_000
TIMEOUT = 5.0
MAX_FILES = 5
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "files.slack-gov.com"})
TEXT_TYPES = frozenset(
    {
        "text",
        "javascript",
        "json",
        "python",
        "shell",
        "xml",
        "yaml",
        "log",
        "csv",
        "go",
        "java",
        "sql",
        "markdown",
        "plain",
    }
)


def truncated_snippets(message: dict[str, Any]) -> list[dict[str, Any]]:
    files = message.get("files")
    if not isinstance(files, list):
        return []
    return [
        f
        for f in files
        if isinstance(f, dict)
        and f.get("preview_is_truncated")
        and (
            f.get("mode") == "snippet"
            or f.get("filetype") in TEXT_TYPES
            or str(f.get("mimetype") or "").startswith("text/")
        )
    ][:MAX_FILES]


def snippet_texts(message: dict[str, Any], client: WebClient) -> list[str]:
    """The whole content of the message's cut-off snippets (those that could be read)."""
    texts = []
    for f in truncated_snippets(message):
        url = f.get("url_private_download") or f.get("url_private")
        if not isinstance(url, str) or not _trusted(url, client.base_url):
            log.warning("snippet %s not read: its URL is not a Slack file host", f.get("id"))
            continue
        text = _download(url, client.token)
        if text is not None:
            texts.append(text)
    return texts


def _trusted(url: str, api_base: str) -> bool:
    parts, api = urlsplit(url), urlsplit(api_base)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def fetch(url: str, token: str | None, limit: int, timeout: float = TIMEOUT) -> bytes | None:
    """At most `limit + 1` bytes of a file (one more than allowed tells the caller it is larger),
    or None when it could not be read. The host must have passed `trusted` first."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token or ''}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - host checked
            data: bytes = answer.read(limit + 1)
            return data
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("file not read: %s", type(exc).__name__)
        return None


def trusted(url: object, api_base: str) -> bool:
    return isinstance(url, str) and _trusted(url, api_base)


def _download(url: str, token: str | None) -> str | None:
    data = fetch(url, token, MAX_BYTES)
    if data is None:
        return None
    if len(data) > MAX_BYTES:
        log.info("snippet longer than %s bytes: read its first part", MAX_BYTES)
        data = data[:MAX_BYTES]
    return data.decode("utf-8", errors="replace")
