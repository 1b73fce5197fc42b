"""Remove credentials (and NUL bytes) from any text before it is stored, logged, rendered or sent.

What people paste into Slack is full of secrets: curl -v output with X-Auth-Token headers, SDK
debug logs with the Authorization header, env dumps with AK/SK, connection strings, PEM keys,
JWTs, cookies. Two sets of detectors run over every field the bot keeps or shows:

- detect-secrets' (Yelp) token-shaped detectors: private keys, JWTs, Slack, GitHub, GitLab, AWS,
  Stripe, OpenAI, npm, PyPI, SendGrid, Twilio, Discord, Azure storage keys and basic-auth URLs.
  We run their maintained patterns (`denylist`) over the text ourselves, so we know each span and
  can mask a whole token where a pattern stops short (its JWT pattern ends before the signature).
  Its keyword and entropy detectors are not used: the keyword detector costs 4-7 ms/KB (ten times
  our budget) and the entropy ones flag request ids; our named rules below do that job.
- Our rules: Huawei Cloud's AK/SK, IAM (MII…) and temporary (gQ…) tokens, SDK-HMAC-SHA256 and
  OBS `Authorization` headers, pre-signed URL signatures, and secret-named keys and headers in any
  form (JSON with quoted values containing spaces, key=value, headers, `curl -u user:password`).

Every pattern is linear (no nested quantifiers, bounded repetitions), so a 40,000-character paste
redacts in milliseconds: `bench/adversarial.py` measures it on adversarial shapes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

MASK = "[REDACTED]"


def _first_letters(names: str) -> str:
    """A lookahead on the names' first letters: sre then skips to candidates at C speed instead of
    trying every alternative at every position (10-20x faster on text with no secret at all)."""
    firsts = sorted({n[0].lower() for n in names.split("|")} | {n[0].upper() for n in names.split("|")})
    return "(?=[" + "".join(firsts) + "])"


# detect-secrets detectors whose patterns name a token by its shape. Measured one by one on
# adversarial shapes (bench/adversarial.py): these grow linearly. Its JWT pattern (`eyJ[…]+\.`) and
# npm pattern (`//.+/:_authToken=`) are quadratic on "eyJeyJ…" and "://…" (29 and 19 ms/KB at 40 KB,
# 13x growth from 10 KB), so JWTs get a linear pattern of ours and npm tokens the named rule.
@functools.cache
def _library() -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    """detect-secrets' token patterns, and its private-key headers: imported on the first text to
    redact, so that commands that never redact (a lookup of a bare code) do not pay 0.2 s for it."""
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    detectors = (
        AWSKeyDetector,
        AzureStorageKeyDetector,
        BasicAuthDetector,
        DiscordBotTokenDetector,
        GitHubTokenDetector,
        GitLabTokenDetector,
        OpenAIDetector,
        PypiTokenDetector,
        SendGridDetector,
        SlackDetector,
        StripeDetector,
        TwilioKeyDetector,
    )
    patterns = tuple(p for d in detectors for p in d().denylist)
    return patterns, tuple(PrivateKeyDetector().denylist)


# A JWT, linear: it may start only where a token starts (one start per run of token characters),
# and then takes the whole token, signature included.
_JWT = re.compile(r"(?<![A-Za-z0-9_=-])eyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+(?:\.[A-Za-z0-9_.+/=-]*)?")
# A match that stops inside a token (JWT without its signature) is widened to the token's end.
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.~%]{0,4000}")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]{0,40}-----|PRIVATE KEY-----|Private-MAC: ?[0-9a-f]{0,128}")

# Headers whose whole value is a credential, whatever scheme it uses (Bearer, Basic, OBS AK:sig,
# SDK-HMAC-SHA256 …, AWS4-HMAC-SHA256 …): masked up to the end of the line or the closing quote.
_HEADER_NAMES = (
    "authorization|proxy-authorization|cookie|set-cookie|x-auth-token|x-subject-token|x-security-token"
    "|x-obs-security-token|x-amz-security-token|x-api-key|x-csrf-token"
)
_HEADER = re.compile(
    _first_letters(_HEADER_NAMES) + r"(?<![A-Za-z0-9-])(?P<name>" + _HEADER_NAMES + ")"
    r"(?P<sep>[\"']?\s{0,3}[:=]\s{0,3}[\"']?)"
    r"(?P<value>[^\"'\r\n\\]{1,8000})",
    re.IGNORECASE,
)
_NAMES = (
    r"auth[_-]?token|access[_-]?key[_-]?id|accesskeyid|access[_-]?key|secret[_-]?access[_-]?key|secret[_-]?key"
    r"|secretkey|securitytoken|security[_-]?token|client[_-]?secret|api[_-]?key|apikey|private[_-]?key"
    r"|password|passwd|pwd|passphrase|secret|token|ak|sk|signature|credentials?|session[_-]?id"
)
# A secret-named key and its value: quoted (JSON `"password": "with a space"`, Python reprs,
# YAML), or bare (env dumps, key=value logs, query strings).
_NAMED = re.compile(
    _first_letters(_NAMES) + r"(?<![A-Za-z0-9])(?P<name>" + _NAMES + r")"
    r"(?P<sep>[\"']?\s{0,3}[:=]\s{0,3})"
    r"(?:(?P<q>\\?[\"'])(?P<quoted>[^\"'\r\n\\]{0,4000})(?P=q)|(?P<value>[^\s\"',;&}<>\\]{1,20000}))",
    re.IGNORECASE,
)
# Parts of an SDK-HMAC-SHA256 header or a pre-signed URL that are secret on their own.
_PARTS = re.compile(
    r"(?=[AaCcSsXx])\b(Access|AccessKeyId|Credential|X-Amz-Credential|Signature|X-Amz-Signature|sig)"
    r"=([A-Za-z0-9+/=_%-]{8,2000})",
    re.IGNORECASE,
)
# OBS v2 signing: `OBS AK:base64signature` wherever it appears (logs print it without the header).
_OBS = re.compile(r"\bOBS\s{1,3}[A-Z0-9]{16,40}:[A-Za-z0-9+/=]{16,200}")
# curl -u user:password / --user user:password
_CURL_USER = re.compile(
    r"(?P<flag>(?<!\S)(?:-u|--user)\s{1,5}[\"']?)(?P<user>[^\s:\"']{1,200}):(?P<pw>[^\s\"']{1,400})"
)
# Bare values recognisable by shape.
# Huawei Cloud IAM tokens (MII…, PKI) and temporary security tokens (gQ…).
_TOKENS = re.compile(r"\b(?:MII|gQ)[A-Za-z0-9+/=_-]{40,}")
_ACCESS_KEY = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{20}(?![A-Za-z0-9])")
_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")
# user:password@host in any URL or DSN; the password may itself hold '@' (the last '@' ends it).
_URL_PASSWORD = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]{1,20}://)(?P<user>[^\s:/@]{1,100}):(?P<pw>[^\s/]{1,200})@"
    r"(?=[^\s@]{0,300}(?:[\s/?#:\"']|$))"
)
_NUL = "\x00"


def _looks_like_key(token: str) -> bool:
    # A 20-character run of digits only is an id or a number, not an access key.
    return any(c.isalpha() for c in token)


def _mask_named(m: re.Match[str]) -> str:
    if m["q"] is not None:
        return f"{m['name']}{m['sep']}{m['q']}{MASK}{m['q']}"
    return m[0] if m["value"] == MASK else f"{m['name']}{m['sep']}{MASK}"


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Where detect-secrets' detectors see a secret: the whole token, widened to its end."""
    library, key_headers = _library()
    for pattern in library:
        covered = -1  # matches inside the last widened span add nothing (and would cost its length)
        for m in pattern.finditer(text):
            start, end = m.span(m.lastindex) if m.lastindex else m.span()
            if end > start and start >= covered:
                covered = _TOKEN_TAIL.match(text, end).end()  # type: ignore[union-attr]
                yield start, covered
    for m in _JWT.finditer(text):
        yield m.span()
    for pattern in key_headers:
        for m in pattern.finditer(text):
            footer = _KEY_END.search(text, m.end())
            yield m.start(), footer.end() if footer else len(text)


def _mask_spans(text: str, spans: Iterator[tuple[int, int]]) -> str:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    if not merged:
        return text
    out, at = [], 0
    for start, end in merged:
        out += [text[at:start], MASK]
        at = end
    out.append(text[at:])
    return "".join(out)


def prepare() -> None:
    """Load the detectors now (a server at boot), not on someone's first paste."""
    _library()


def redact(text: str) -> str:
    """The text with every credential replaced by [REDACTED] and NUL bytes removed."""
    if not text:
        return text
    text = text.replace(_NUL, "")
    text = _mask_spans(text, _spans(text))
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _CURL_USER.sub(lambda m: f"{m['flag']}{m['user']}:{MASK}", text)
    text = _HEADER.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    text = _NAMED.sub(_mask_named, text)
    text = _OBS.sub(f"OBS {MASK}", text)
    text = _PARTS.sub(lambda m: m[0] if m[2] == MASK else f"{m[1]}={MASK}", text)
    text = _TOKENS.sub(MASK, text)
    text = _ACCESS_KEY.sub(lambda m: MASK if _looks_like_key(m[0]) else m[0], text)
    text = _SECRET_KEY.sub(lambda m: MASK if _looks_like_key(m[0]) and not m[0].isalpha() else m[0], text)
    return text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def redact_json(value: Any) -> Any:
    """Every string inside a JSON-like value (ticket payloads, outbox rows, event details)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v) for v in value]
    return value


def without_nul(text: str) -> str:
    """PostgreSQL refuses NUL in text; nothing a person meant is lost by dropping it."""
    return text.replace(_NUL, "") if _NUL in text else text


def excerpt(text: str, limit: int = 500) -> str:
    """A short, redacted excerpt of a paste, for the incident record."""
    cleaned = redact(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
