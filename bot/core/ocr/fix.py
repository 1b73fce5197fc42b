"""Mend what OCR does to error codes, conservatively: `AIS.O005`, `A1S.0005` and `AIS. 0005` →
`AIS.0005`, `Mode1Arts.4101` → `ModelArts.4101`.

Only a token shaped like a code whose prefix is (up to look-alike characters) a prefix the
knowledge base has is touched: its prefix takes the knowledge base's spelling and its number the
digits the look-alike letters stand for. Everything else is left as read. Each mended token is
counted. The clear part of an image's text (see `reader`) takes only the mendings nothing but a
digit explains (`sure`): `Mode1Arts`, `AIS.0O27`; after any other, a code is a "did you mean".
`respace` puts right the spaces OCR gets wrong around a code, before any of this.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.matching.codes import PREFIX_ALIASES, CodeIndex, prefix_key, skeleton

# A prefix word, a dot (OCR may put a space beside it) and a number that may hold look-alikes.
_TOKEN = re.compile(
    r"(?<![\w.])(?P<prefix>[A-Za-z0-9|!$]{2,24})(?P<dot> ?\. ?)(?P<number>[0-9OoQDIil|!SsB]{3,12})(?![\w])"
)
# Look-alikes in a number, and the extra ones OCR makes in a prefix besides codes.skeleton's.
_DIGITS = str.maketrans(
    {"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "i": "1", "l": "1"}
    | {"|": "1", "!": "1", "S": "5", "s": "5", "B": "8"}
)
_PREFIX_EXTRA = str.maketrans({"6": "G", "8": "B"})
# The look-alikes a clear reading may still hold and be sure of: a round letter among digits is a
# zero, a stroke a one. `S`/`B`/`D`/`Q` could as well be another digit (3, 6, 8): not sure.
_SURE_DIGITS = frozenset("0123456789Ool|Ii")
# A code's number with a space OCR put inside it: `ModelArts.41 04`.
_SPLIT_NUMBER = re.compile(
    r"(?<![\w.])(?P<code>[A-Za-z][A-Za-z0-9]{1,24} ?\. ?[0-9]{1,11}) (?P<rest>[0-9]{1,11})(?![\w.])"
)
# A code glued to the words around it (OCR drops spaces): `ERRORAPIG.0308returned`. A single
# letter after the number is a misread digit (`AIS.040l`), not a word.
_GLUED = re.compile(r"(?P<run>[A-Za-z0-9]{3,}) ?\. ?(?P<number>[0-9]{3,12})(?P<after>[A-Za-z]{2,})?(?![0-9])")


def known_prefix(written: str, codes: CodeIndex) -> str | None:
    """The knowledge base's spelling of a prefix as read, or None when it is not one of ours."""
    key = prefix_key(written)
    if key in codes.prefixes or PREFIX_ALIASES.get(key) in codes.prefixes:
        return written  # as read: the matcher takes any case and the APIGW alias itself
    for candidate in (key, key.translate(_PREFIX_EXTRA)):
        same = codes.skeletons.get(skeleton(candidate), [])
        if len(same) == 1:
            return codes.prefixes[same[0]].spelling
        alias = next((a for a in PREFIX_ALIASES if skeleton(a) == skeleton(candidate)), None)
        if alias is not None:
            return alias
    return None


def respace(text: str, codes: CodeIndex) -> str:
    """`text` with the spaces OCR got wrong around codes put right: a space inside a code's number
    goes when the number whole is a code of ours and its first piece alone is not
    (`ModelArts.41 04`), and a space is put back on each side of a code glued to the words beside
    it, when the glued run ends in a prefix the knowledge base spells exactly that way
    (`ERRORAPIG.0308returned` → `ERROR APIG.0308 returned`; the longest prefix that fits)."""
    known = known_code(codes)

    def gap(m: re.Match[str]) -> str:
        whole = m["code"] + m["rest"]
        return whole if known(whole) and not known(m["code"]) else m[0]

    def one(m: re.Match[str]) -> str:
        run = m["run"]
        for start in range(len(run) - 1):
            word = run[start:]
            if word[0].isalpha() and prefix_key(word) in codes.prefixes:
                break
        else:
            return m[0]
        head = run[:start] + " " if start else ""
        tail = " " + m["after"] if m["after"] else ""
        return f"{head}{word}.{m['number']}{tail}"

    return _GLUED.sub(one, _SPLIT_NUMBER.sub(gap, text))


def known_code(codes: CodeIndex) -> Callable[[str], bool]:
    """Is this token, mended, a whole code the knowledge base has (`M0DELARTS. 0203`: yes)?"""
    return lambda token: fix_codes(token, codes)[0].replace(" ", "").upper() in codes.exact


def _slips_of_digits(read: str, spelled: str) -> bool:
    """The prefix as read differs from ours only where it has a digit (`Mode1Arts`, `A1S`)."""
    return len(read) == len(spelled) and all(
        a.upper() == b.upper() or a.isdigit() for a, b in zip(read, spelled, strict=True)
    )


def fix_codes(text: str, codes: CodeIndex, *, sure: bool = False) -> tuple[str, list[str]]:
    """`text` with its misread codes mended, and the codes that needed it (as mended). With `sure`,
    only the mendings nothing else could explain: a digit in a prefix of ours, `O`/`l` among digits."""
    mended: list[str] = []

    def one(m: re.Match[str]) -> str:
        prefix = known_prefix(m["prefix"], codes)
        number = m["number"]
        if prefix is None or not any(c.isdigit() for c in number):
            return m[0]
        if sure and not (set(number) <= _SURE_DIGITS and _slips_of_digits(m["prefix"], prefix)):
            return m[0]
        fixed = f"{prefix}.{number.translate(_DIGITS)}"
        if fixed.replace(" ", "") != m[0].replace(
            " ", ""
        ):  # a space beside the dot is layout, not a misreading
            mended.append(fixed)
        return fixed

    return _TOKEN.sub(one, text), mended
