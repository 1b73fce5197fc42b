"""The redactor as it was at 724dcf2 (bot/core/incidents/redact.py): the baseline of bench/adversarial.py.

What people paste into Slack is full of secrets: curl -v output with X-Auth-Token headers,
SDK debug logs with the Authorization header, env dumps with AK/SK, connection strings. The
patterns are linear (no nested quantifiers) so a 40,000-character paste redacts in milliseconds.
"""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# Header or key=value forms: the name tells us the value is secret whatever it looks like.
_NAMED = re.compile(
    r"(?<![A-Za-z0-9])(?P<name>"
    r"x-auth-token|x-subject-token|x-security-token|x-obs-security-token|x-amz-security-token"
    r"|authorization|proxy-authorization"
    r"|access[_-]?key[_-]?id|accesskeyid|access[_-]?key|secret[_-]?access[_-]?key|secret[_-]?key"
    r"|secretkey|securitytoken|security[_-]?token|client[_-]?secret|api[_-]?key|apikey"
    r"|password|passwd|pwd|passphrase|secret|token|ak|sk|signature"
    r")"
    r"(?P<sep>\"?'?\s{0,3}[:=]\s{0,3}\"?'?)"
    r"(?P<value>(?:SDK-HMAC-SHA256|Bearer|Basic|OAuth)\s+[^\s\"',;}]{1,8000}|[^\s\"',;&}<>]{1,20000})",
    re.IGNORECASE,
)
# Parts of an SDK-HMAC-SHA256 Authorization header that are secret on their own.
_ACCESS = re.compile(r"\b(Access|AccessKeyId|Credential)=([A-Za-z0-9]{8,64})")
_SIGNATURE = re.compile(r"\b(Signature)=([0-9a-fA-F]{64}|[A-Za-z0-9+/=_-]{16,})")
# Bare values recognisable by shape.
_IAM_TOKEN = re.compile(r"\bMII[A-Za-z0-9+/=_-]{40,}")
_TEMP_TOKEN = re.compile(r"\bgQ[A-Za-z0-9+/=_-]{40,}")
_ACCESS_KEY = re.compile(r"(?<![A-Za-z0-9])[A-Z0-9]{20}(?![A-Za-z0-9])")
_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")
_URL_PASSWORD = re.compile(
    r"(?P<scheme>\b[a-z][a-z0-9+.-]{1,20}://)(?P<user>[^\s:/@]{1,100}):(?P<pw>[^\s@/]{1,200})@"
)


def _looks_like_key(token: str) -> bool:
    # A 20-character run of digits only is an id or a number, not an access key.
    return any(c.isalpha() for c in token)


def redact(text: str) -> str:
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _NAMED.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    text = _ACCESS.sub(lambda m: f"{m[1]}={MASK}", text)
    text = _SIGNATURE.sub(lambda m: f"{m[1]}={MASK}", text)
    text = _IAM_TOKEN.sub(MASK, text)
    text = _TEMP_TOKEN.sub(MASK, text)
    text = _ACCESS_KEY.sub(lambda m: MASK if _looks_like_key(m[0]) else m[0], text)
    text = _SECRET_KEY.sub(lambda m: MASK if _looks_like_key(m[0]) and not m[0].isalpha() else m[0], text)
    return text


def excerpt(text: str, limit: int = 500) -> str:
    """A short, redacted excerpt of a paste, for the incident record."""
    cleaned = redact(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
