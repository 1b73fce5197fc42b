"""Resolve a code as written ("AIS.0027", "ais 27", "AlS.027", "Model Arts 4202") to the
knowledge base's codes.

A code is a prefix (AIS, ModelArts, DEV.CH) and a number. The paste mode accepts a code only as
the service returned it (case aside, and APIGW for APIG, the prefix API Gateway puts on the wire
for the codes its documentation lists as APIG.xxxx); the lookup mode also forgives what people
type: other separators, missing or extra zeros, look-alike characters and small misspellings of
the prefix.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

# Prefixes that name the same codes. API Gateway documents APIG.0301 and returns APIGW.0301.
PREFIX_ALIASES = {"APIGW": "APIG"}

# What someone types after /hwerror: "ais 27", "AIS_0026", "Model Arts 4202", "A1S.0011".
# A prefix is up to four words ("Model Arts"); a word ends in a letter, so "ais401" splits
# as ais + 401. Words are separated, which keeps the match free of backtracking blow-ups.
_PREFIX_WORD = r"[A-Za-z](?:[A-Za-z0-9]{0,24}[A-Za-z])?"
LOOKUP_CODE = re.compile(
    rf"^[ `'\"]*(?P<prefix>{_PREFIX_WORD}(?:[ _.\-]{_PREFIX_WORD}){{0,3}})"
    r"[ ._\-:#/]{0,3}(?P<number>[0-9]{1,12})[ `'\".!?]*$"
)
# Characters people and OCR confuse in codes: AlS / A1S for AIS, M0delArts.
_SKELETON = str.maketrans({"1": "I", "L": "I", "|": "I", "!": "I", "0": "O", "5": "S", "$": "S"})


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_PLAIN_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")


def prefix_key(prefix: str) -> str:
    """The prefix without case and separators: "Model Arts" and "MODELARTS" are one prefix."""
    return _NOT_ALNUM.sub("", prefix).upper()


def skeleton(key: str) -> str:
    return key.translate(_SKELETON)


def split_code(code: str) -> tuple[str, str] | None:
    """(prefix, number) of a code, or None when it does not end in a number after a prefix."""
    code = code.strip()
    head = code.rstrip("0123456789")
    number = code[len(head) :]
    if not number or len(number) > 12:
        return None
    prefix = head.rstrip(" ._-")
    if not prefix or not prefix[0].isalpha() or len(prefix) > 40:
        return None
    return prefix, number


@dataclass(frozen=True, slots=True)
class Resolution:
    codes: tuple[str, ...]  # the knowledge base's codes it names (empty when unknown)
    normalised: str  # the code to report when unknown: the KB's spelling of the prefix if known
    how: str  # "exact" | "case" | "alias" | "padding" | "lookalike" | "fuzzy-prefix" | "unknown"
    prefix_known: bool
    prefix_score: float  # 1.0 for an exact prefix, lower for a guessed one

    @property
    def known(self) -> bool:
        return bool(self.codes)


@dataclass
class _Prefix:
    spelling: str  # most common spelling in the KB ("ModelArts")
    width: int  # most common number width (4 for AIS.0027)
    numbers: dict[int, list[str]]  # numeric value -> codes
    codes: list[str]
    number_texts: list[str]  # each code's number, padded to the prefix's width


class CodeIndex:
    """Every code in the knowledge base, by exact spelling and by (prefix, number)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.exact: dict[str, str] = {}
        spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        widths: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        numbers: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        members: dict[str, list[str]] = defaultdict(list)
        keys: dict[str, str] = {}  # prefix as written -> prefix key; a few hundred prefixes
        for code in sorted(set(codes)):
            self.exact.setdefault(code.upper(), code)
            parts = split_code(code)
            if parts is None:
                continue
            prefix, number = parts
            key = keys.get(prefix)
            if key is None:
                key = keys[prefix] = prefix_key(prefix)
            spellings[key][prefix] += 1
            widths[key][len(number)] += 1
            numbers[key][int(number)].append(code)
            members[key].append(code)
        self.prefixes: dict[str, _Prefix] = {}
        for key in spellings:
            width = max(widths[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
            self.prefixes[key] = _Prefix(
                spelling=max(spellings[key].items(), key=lambda kv: (kv[1], kv[0]))[0],
                width=width,
                numbers=dict(numbers[key]),
                codes=members[key],
                number_texts=[c[len(c.rstrip("0123456789")) :].zfill(width) for c in members[key]],
            )
        self.skeletons: dict[str, list[str]] = defaultdict(list)
        for key in self.prefixes:
            self.skeletons[skeleton(key)].append(key)
        self.prefix_keys = sorted(self.prefixes)

    # -- resolution -------------------------------------------------------------------------

    def _prefix(self, key: str, lenient: bool) -> tuple[str, str, float] | None:
        """(prefix key in the KB, how, score) for a prefix as written."""
        if key in self.prefixes:
            return key, "exact", 1.0
        alias = PREFIX_ALIASES.get(key)
        if alias in self.prefixes:
            return alias, "alias", 0.97
        if not lenient:
            return None
        same = self.skeletons.get(skeleton(key), [])
        if len(same) == 1:
            return same[0], "lookalike", 0.95
        if len(key) < 5:
            return None  # "IAM" is not a misspelt "AIS": short prefixes must match exactly
        best = process.extract(key, self.prefix_keys, scorer=fuzz.ratio, limit=2, score_cutoff=80)
        if not best:
            return None
        if len(best) == 2 and best[1][1] > best[0][1] - 8:
            return None  # two prefixes fit about as well: do not guess
        return best[0][0], "fuzzy-prefix", 0.8 + 0.15 * (best[0][1] - 80) / 20

    def resolve(self, written: str, lenient: bool = False) -> Resolution:
        code = written.strip()
        exact = self.exact.get(code.upper())
        if exact is not None:
            how = "exact" if exact == code else "case"
            return Resolution((exact,), exact, how, True, 1.0)
        parts = split_code(code)
        if parts is None:
            return Resolution((), code, "unknown", False, 0.0)
        prefix, number = parts
        found = self._prefix(prefix_key(prefix), lenient)
        if found is None:
            # As written (CCE.01400001, DEV.CH.10001); typed ones ("iam 0002") with one separator
            # and, when none were typed, capitals.
            if not _PLAIN_CODE.fullmatch(code):
                code = f"{re.sub(r'[ _-]+', '', prefix)}.{number}"
            return Resolution((), code.upper() if code.islower() else code, "unknown", False, 0.0)
        key, how, score = found
        info = self.prefixes[key]
        # An unknown code under an alias is reported as the service wrote it (APIGW.0999).
        spelling = prefix_key(prefix) if how == "alias" else info.spelling
        padded = number.zfill(info.width) if len(number) < info.width else number
        normalised = f"{spelling}.{padded}"
        if how in ("exact", "alias") and not lenient:
            # Pastes carry codes as the service wrote them: only the spelling may differ.
            same = self.exact.get(f"{info.spelling}.{number}".upper())
            if same is not None:
                return Resolution((same,), same, how, True, score)
            return Resolution((), f"{spelling}.{number}", "unknown", True, score)
        codes = info.numbers.get(int(number), [])
        if not codes:
            return Resolution((), normalised, "unknown", True, score)
        if how == "exact" and len(codes) == 1 and codes[0].upper() != code.upper():
            how = "padding"
        return Resolution(tuple(codes), codes[0], how, True, score)

    def completions(self, begun: str, limit: int = 5) -> list[str]:
        """Known codes that begin with `begun` (a code cut off: "ModelArts.41")."""
        parts = split_code(begun)
        if parts is None:
            return []
        key = prefix_key(parts[0])
        info = self.prefixes.get(PREFIX_ALIASES.get(key, key))
        if info is None:
            return []
        return [c for c, n in zip(info.codes, info.number_texts, strict=True) if n.startswith(parts[1])][
            :limit
        ]

    def by_number(self, number: str, limit: int = 5) -> list[str]:
        """Codes of any prefix whose number is `number` ("4101" -> ModelArts.4101)."""
        n = int(number)
        out: list[str] = []
        for key in self.prefix_keys:
            out += self.prefixes[key].numbers.get(n, [])
            if len(out) >= limit:
                break
        return out[:limit]

    def similar(self, written: str, prefix_key_hint: str | None, limit: int = 5) -> list[tuple[str, float]]:
        """Known codes that look like `written` (for "did you mean"), best first, score 0..1."""
        key = PREFIX_ALIASES.get(prefix_key_hint or "", prefix_key_hint)
        if not key or key not in self.prefixes:
            return []
        info = self.prefixes[key]
        # Compare the numbers (the prefix is the same): "0006" is like "0005" and "0007".
        number = written.rstrip()[len(written.rstrip().rstrip("0123456789")) :].zfill(info.width)
        found = process.extract(number, info.number_texts, scorer=fuzz.ratio, processor=None, limit=4 * limit)
        # Among equally alike spellings, the nearest numbers first (0005 and 0007 for 0006).
        target = int(number) if number.isdigit() else 0
        found.sort(key=lambda f: (-f[1], abs(int(f[0]) - target)))
        return [(info.codes[i], score / 100) for _, score, i in found[:limit]]
