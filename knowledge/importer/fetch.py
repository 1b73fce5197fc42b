"""Pages from an http(s) URL: fetched with explicit timeouts, a size limit and a bounded number of
redirects, each failure named for the person who typed the URL."""

from __future__ import annotations

import httpx

from knowledge.importer.rows import NotAnErrorPage

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 15.0


def fetch_text(url: str, *, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> str:
    """The page at `url` as text, or NotAnErrorPage saying why not."""
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=MAX_REDIRECTS
            ) as client,
            client.stream("GET", url, headers={"Accept": "text/html, text/markdown, text/plain"}) as resp,
        ):
            if resp.status_code != 200:
                raise NotAnErrorPage(f"{url} answered HTTP {resp.status_code}")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise NotAnErrorPage(f"{url} is {declared} bytes; pages over {max_bytes} bytes are refused")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise NotAnErrorPage(f"{url} is over {max_bytes} bytes; pages that large are refused")
                chunks.append(chunk)
            encoding = resp.encoding or "utf-8"
    except httpx.TooManyRedirects as exc:
        raise NotAnErrorPage(f"{url} redirects more than {MAX_REDIRECTS} times") from exc
    except httpx.TimeoutException as exc:
        raise NotAnErrorPage(f"{url} did not answer within {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise NotAnErrorPage(f"{url} could not be fetched: {exc}") from exc
    raw = b"".join(chunks)
    if b"\x00" in raw[:8192]:
        raise NotAnErrorPage(f"{url} is a binary file, not an error-code page")
    try:
        return raw.decode(encoding, errors="strict").lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError) as exc:
        raise NotAnErrorPage(f"{url} is not {encoding} text") from exc
