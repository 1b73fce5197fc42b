"""Plain value types shared by the importer, the store and the matcher.

They carry no SQLAlchemy state, so the matcher can index them without a session and tests can
build them by hand.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class WhoActs(enum.StrEnum):
    """Who has to act on an error: read from its handling measure, unless a person set it."""

    CALLER = "caller"
    HUAWEI_SUPPORT = "huawei_support"
    ACCOUNT_BILLING = "account_billing"

    @property
    def label(self) -> str:
        return {
            WhoActs.CALLER: "The caller can fix it",
            WhoActs.HUAWEI_SUPPORT: "Huawei support must act",
            WhoActs.ACCOUNT_BILLING: "Account or billing",
        }[self]

    @classmethod
    def parse(cls, text: str) -> WhoActs | None:
        """What a person typed or picked: a value (`huawei_support`, `huawei-support`), a word of
        it (`huawei`, `billing`, `customer`), or its label; None for "read it from the handling"
        (`auto`, empty). Raises ValueError for anything else."""
        key = re.sub(r"[\s\-]+", "_", text.strip().lower())
        if key in _AUTO:
            return None
        for who in cls:
            if key in (who.value, who.label.lower().replace(" ", "_")) or key in _WORDS.get(who, ()):
                return who
        raise ValueError(f"{text.strip()[:40]!r} is not who acts: choose {', '.join(WHO_ACTS_CHOICES)}.")


_AUTO = frozenset({"", "auto", "derived", "default", "none"})
_WORDS = {
    WhoActs.CALLER: ("customer", "user"),
    WhoActs.HUAWEI_SUPPORT: ("huawei", "support", "huawei_cloud"),
    WhoActs.ACCOUNT_BILLING: ("billing", "account", "account_or_billing"),
}
# What the front ends offer: every value, and "auto" (read from the handling text).
WHO_ACTS_CHOICES = (*(w.value for w in WhoActs), "auto")


_BILLING = re.compile(
    r"\b(arrears|in arrears|insufficient balance|top up|recharge|billing|frozen|account is restricted"
    r"|account (has been )?(suspended|restricted)|payment|renew)\b",
    re.IGNORECASE,
)
_SUPPORT = re.compile(
    r"(technical support|customer service|service ticket|contact huawei|contact the administrator of huawei"
    r"|contact (the )?o&m|contact huawei cloud)",
    re.IGNORECASE,
)
# Handling text that first asks the caller to check something, and only then falls back to
# support ("If the fault persists, contact ..."), is the caller's to fix.
_CALLER_FIRST = re.compile(
    r"^\s*(\d+\.\s*)?(check|ensure|make sure|verify|use|set|reduce|modify|change|specify|enter|add|delete"
    r"|obtain|upload|wait|retry|try|configure|adjust|subscribe|enable|confirm|correct)\b",
    re.IGNORECASE,
)


def derive_who_acts(handling: str) -> WhoActs:
    text = handling.strip()
    if not text:
        return WhoActs.CALLER
    first_sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if _BILLING.search(first_sentence):
        return WhoActs.ACCOUNT_BILLING
    if _SUPPORT.search(first_sentence) and not _CALLER_FIRST.search(first_sentence):
        return WhoActs.HUAWEI_SUPPORT
    return WhoActs.CALLER


@dataclass(frozen=True, slots=True)
class EntryData:
    """One knowledge-base entry: a (service, code, variant) and what it means."""

    service: str
    code: str
    variant: int
    status: int | None
    message: str
    description: str
    handling: str
    doc_url: str | None = None
    category: str | None = None
    who_acts_override: WhoActs | None = None  # set by a person; None: read from the handling

    @property
    def who_acts(self) -> WhoActs:
        return self.who_acts_override or derive_who_acts(self.handling)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.service, self.code, self.variant)
