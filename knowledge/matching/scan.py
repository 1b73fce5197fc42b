"""One pass over a text: every key it knows with its value (code, message, status, request id),
and every code-shaped word; `extract` then gives each code the facts nearest to it.

Every regex here is linear: no repetition can match the same characters two ways.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Kinds of evidence, strongest first.
FIELD = "field"  # the value of an error-code key: {"error_code": "AIS.0027"}
URL = "url"  # keyword= of an error-centre link
TOKEN = "token"  # a code-shaped word in running text: "getting AIS.0027 since 9am"
MESSAGE = "message"  # a message field with no code near it

_CODE_KEYS = r"error[ _-]?code|err[ _-]?code|errorcode|code|错误码|错误代码"
_MESSAGE_KEYS = (
    r"error[ _-]?msg|error[ _-]?message|err[ _-]?msg|errmsg|error[ _-]?description|message|msg"
    r"|错误信息|错误消息|错误描述"
)
_STATUS_KEYS = r"http[ _-]?status[ _-]?code|http[ _-]?status|status[ _-]?code|status"
_REQUEST_ID_KEYS = r"x[ _-]request[ _-]id|request[ _-]?id|请求id"
# Keys we do not read but that end a bare value before them (the Python SDK's str()).
_OTHER_KEYS = r"encoded[ _]?authorization[ _]?message|details|error|title|trace[ _-]?id|timestamp|body"

# Matched on the lowercased text (case-insensitive matching is several times slower), starting
# at the key itself so the regex engine can skip quickly to the letters keys start with.
_KEY = re.compile(
    r"(?<![\w\-.])"
    rf"(?:(?P<code>{_CODE_KEYS})|(?P<message>{_MESSAGE_KEYS})|(?P<status>{_STATUS_KEYS})"
    rf"|(?P<request_id>{_REQUEST_ID_KEYS})|(?P<other>{_OTHER_KEYS}))"
    r"(?:\\{0,8}[\"'`]?[ ]{0,4}(?:=>|[:=])[ ]{0,40}|(?P<xml>>))"
)
_CODE_VALUE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_REQUEST_ID_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{5,80}")
_STATUS_VALUE = re.compile(r"([1-5][0-9]{2})(?![0-9])")
# Statuses written without a key/value separator: curl's status line, "STATUS CODE 400"
# (matched on the lowercased text; the word boundary before it is checked in Python, which lets
# the regex engine skip quickly to an "h" or "s").
_STATUS_TEXT = re.compile(
    r"(?:http/[0-9](?:\.[0-9])?|status[ _-]?code|http[ _-]status)[ ]{1,4}([1-5][0-9]{2})(?![0-9])"
)
# A code in running text: PREFIX.DIGITS, the prefix being letters (segments may be dotted, as in
# DEV.CH.10001). Only "." separates: "AIS-4693" is a Jira key, "AIS 20" a phrase; the lookup
# mode is the generous one. Found from the rare ".digits" backwards, which is much faster than
# trying every letter of the text as a start.
# ASCII classes on purpose: "错误码AIS.0024请看" has a code although 码 and 请 are \w.
DOT_DIGITS = re.compile(
    r"\.([0-9]{3,10})(?:\.[0-9]{1,6}(?![0-9]))?(?![A-Za-z0-9\-]|_[A-Za-z0-9]|\.[A-Za-z0-9])"
)  # InferHub.001001005.400 has a second numeric part
LETTER_RUN = re.compile(r"[A-Za-z_.]{1,130}")
CODE_PREFIX = re.compile(r"[A-Za-z][A-Za-z_]{1,24}(?:\.[A-Za-z][A-Za-z_]{0,24}){0,3}")
URL_KEYWORD = re.compile(r"[?&#]keyword=([^&#\s\"'<>|]{1,100})", re.IGNORECASE)
# A code in a field may be any identifier with a digit: IAM.0001, Ecs.0005, CCE.01400001.
_FIELD_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}(?:[.\-][A-Za-z0-9_]{1,30}){1,4}")
# Codes in a code field that are no identifiers with digits: IAM's bare numbers, OBS's words.
_BARE_NUMBER = re.compile(r"[0-9]{4,10}")
_WORD_CODE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*){1,6}")
_OBS_TEXT = re.compile(r"obsexception|\bobs\b|x-obs-|obs\.[a-z0-9\-]+\.myhuaweicloud|<error>")
TRAILING_MESSAGE = re.compile(r"[ ]{0,3}(?:\(([^()\n]{3,300})\)|[:\-\u2013][ ]{1,3}([^\n]{3,300}))")

_READ_KINDS = frozenset({"code", "message", "status", "request_id"})
_MAX_VALUE = 4000  # longest value we read; a longer one is treated as cut off
_MAX_GAP = 1200  # farthest a message/status/request id can be from the code it belongs to
_BOUNDARY_COST = 400  # a "}" or a blank line between a value and a code: probably another error


@dataclass(frozen=True, slots=True)
class Mention:
    """One error as it appears in the text; `span` indexes the cleaned text (see `clean`)."""

    code: str | None
    message: str | None
    status: int | None
    request_id: str | None
    span: tuple[int, int]
    kind: str
    # A running-text code whose shape alone says "error code" (AIS.0027, ModelArts.4101,
    # Ecs.0005), as opposed to one that is only a code if the knowledge base knows its prefix
    # (abc.123).
    strong: bool = True
    # The text ends inside the quoted value of this code (or, with no code, of this message):
    # what was read may be cut off.
    truncated: bool = False
    # A code field holding a bare number (IAM's 1100) or an OBS word (NoSuchBucket): a code only
    # when the knowledge base has it, or (words) when the text is an OBS error.
    bare: bool = False


@dataclass(frozen=True, slots=True)
class Extraction:
    text: str  # the cleaned text that spans index
    mentions: list[Mention]


@dataclass(slots=True)
class Value:
    kind: str  # "code" | "message" | "status" | "request_id"
    key_start: int
    start: int
    end: int
    value: str
    generic: bool = False  # "message"/"msg"/"code" rather than "error_msg"/"error_code"
    truncated: bool = False
    bare: bool = False


@dataclass(slots=True)
class Anchor:
    code: str
    start: int
    end: int
    kind: str
    strong: bool
    message: str | None = None
    message_cost: float = float("inf")
    status: int | None = None
    status_cost: float = float("inf")
    request_id: str | None = None
    request_id_cost: float = float("inf")
    lo: int = 0
    hi: int = 0
    truncated: bool = False
    bare: bool = False


_KEY_KINDS = ("code", "message", "status", "request_id", "other")
_GENERIC_KEYS = frozenset(
    {"code", "message", "msg", "status", "error", "details", "title", "body", "timestamp"}
)


def _key_kind(m: re.Match[str]) -> str:
    kind = m.lastgroup  # the key's group: it closes after the optional quote group
    if kind is None or kind == "xml":
        kind = next(k for k in _KEY_KINDS if m.group(k) is not None)
    return kind


def _key_text(m: re.Match[str]) -> str:
    return m.group(_key_kind(m))


class _Positions:
    """Sorted positions of one kind of character, for "is there one between a and b"."""

    def __init__(self, positions: list[int]) -> None:
        self.positions = positions

    def between(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.positions, a)
        return i < len(self.positions) and self.positions[i] < b

    def next_after(self, a: int) -> int | None:
        i = bisect.bisect_right(self.positions, a)
        return self.positions[i] if i < len(self.positions) else None


def looks_like_field_code(value: str) -> bool:
    """A value of an error-code key that is an error code (not a status, "None" or a word)."""
    if not _FIELD_CODE.fullmatch(value):
        return False
    return any(c.isdigit() for c in value) and sum(c.isalpha() for c in value) >= 2


def is_strong_token(prefix: str, number: str) -> bool:
    """Whether PREFIX.NUMBER in running text reads as an error code without knowing the prefix.

    ALLCAPS (IAM.0002, DEV.CH.10001) and CamelCase (ModelArts.4101) prefixes do; a capitalised
    word (Ecs.0005) does with a zero-padded number; a lowercase word (file.123) never does.
    """
    first = prefix.split(".")[0]
    letters = first.replace("_", "")
    if letters.isupper():
        return True
    if letters[:1].isupper() and any(c.isupper() for c in letters[1:]):
        return True
    return letters[:1].isupper() and number.startswith("0") and len(number) >= 4


_ESCAPED_QUOTE = re.compile(r"\\+(?=[\"'])")


def clean_value(raw: str) -> str:
    # JSON string escapes that survive into a message; the matcher compares words, not bytes.
    if "\\" in raw:
        raw = raw.replace("\\n", " ").replace("\\t", " ").replace("\\/", "/")
        raw = _ESCAPED_QUOTE.sub("", raw)
    return " ".join(raw.split())


# Compiled once: `re.finditer(str, …)` looks its pattern up in re's cache on every call, and a
# scanner is built for every text matched.
_NEWLINE = re.compile("\n")
_CLOSING = re.compile(r"\}")
_BLANK_LINE = re.compile(r"\n[ ]*\n")
_CLOSING_QUOTES: dict[tuple[str, int], re.Pattern[str]] = {}


def _closing_quote_pattern(quote: str, depth: int) -> re.Pattern[str]:
    """A quote preceded by exactly `depth` backslashes: it closes a value opened at that depth."""
    pattern = _CLOSING_QUOTES.get((quote, depth))
    if pattern is None:
        pattern = _CLOSING_QUOTES[(quote, depth)] = re.compile(r"(?<!\\)" + r"\\" * depth + re.escape(quote))
    return pattern


class Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.newlines = _Positions([m.start() for m in _NEWLINE.finditer(text)])
        self.closing = _Positions([m.start() for m in _CLOSING.finditer(text)])
        self.blank_lines = _Positions([m.start() for m in _BLANK_LINE.finditer(text)])
        # Positions of each quote character at each escape depth, found when first needed.
        self.quotes: dict[tuple[str, int], list[int]] = {}
        self._obs: bool | None = None
        low = text.lower()
        if len(low) != len(text):  # a few characters grow when lowercased; keep offsets true
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        self.low = low
        # "<Code>AIS.0027</Code>": a key closed by ">" counts only as an XML tag.
        self.keys = [
            m for m in _KEY.finditer(low) if m.group("xml") is None or low[m.start() - 1 : m.start()] == "<"
        ]
        # Where a bare value stops: at a key right after a comma (Python SDK: ",error_msg:"), or
        # at a specific key ("request_id=", "ErrorMessage:"); a message may hold ", status: 3".
        self.key_starts = [
            m.start()
            for m in self.keys
            if low[m.start() - 1 : m.start()] in (",", "{", "") or _key_text(m) not in _GENERIC_KEYS
        ]

    @property
    def obs(self) -> bool:
        """Whether the text is an OBS error (whose codes are words: NoSuchBucket)."""
        if self._obs is None:
            self._obs = bool(_OBS_TEXT.search(self.low))
        return self._obs

    def line_end(self, pos: int) -> int:
        nxt = self.newlines.next_after(pos - 1)
        return self.n if nxt is None else nxt

    def closing_quote(self, quote: str, depth: int, after: int) -> int | None:
        positions = self.quotes.get((quote, depth))
        if positions is None:
            pattern = _closing_quote_pattern(quote, depth)
            positions = self.quotes[(quote, depth)] = [m.end() - 1 for m in pattern.finditer(self.text)]
        i = bisect.bisect_right(positions, after)
        if i < len(positions) and positions[i] - after <= _MAX_VALUE:
            return positions[i]
        return None

    def read_value(self, key_index: int) -> tuple[int, int, str, bool, bool] | None:
        """(start, end, raw value, quoted, cut off) of the value after key number `key_index`."""
        m = self.keys[key_index]
        pos = m.end()
        if pos >= self.n:
            return None
        text = self.text
        # An opening quote, possibly escaped (a body inside a JSON string: \"AIS.0005\").
        j = pos
        while j < self.n and j - pos < 8 and text[j] == "\\":
            j += 1
        if j < self.n and text[j] in "\"'`":
            depth = j - pos
            close = self.closing_quote(text[j], depth, j)
            if close is None:  # cut off mid-string: read to the end of the line
                end = min(self.line_end(j + 1), j + 1 + _MAX_VALUE)
                return j + 1, end, text[j + 1 : end], True, not text[end:].strip()
            return j + 1, close - depth, text[j + 1 : close - depth], True, False
        # A bare value runs to the end of the line or to the next key, whichever is first; in
        # XML (<Code>AIS.0027</Code>) to the next tag.
        end = min(self.line_end(pos), pos + _MAX_VALUE)
        if m.group("xml") is not None:
            tag = text.find("<", pos, end)
            if tag >= 0:
                end = tag
        i = bisect.bisect_right(self.key_starts, pos)
        if i < len(self.key_starts) and self.key_starts[i] < end:
            end = self.key_starts[i]
        return pos, end, text[pos:end], False, False

    def values(self) -> list[Value]:
        out: list[Value] = []
        for index, m in enumerate(self.keys):
            kind = _key_kind(m)
            if kind not in _READ_KINDS:  # a key we only use as the end of a bare value
                continue
            read = self.read_value(index)
            if read is None:
                continue
            start, end, raw, quoted, cut = read
            key = m.group(kind)  # already lowercase: keys are matched on the lowercased text
            generic = key in ("code", "message", "msg")
            if kind == "code":
                vm = _CODE_VALUE.match(raw.strip()) if not quoted else None
                value = (vm.group(0) if vm else "") if not quoted else raw.strip()
                value = value.rstrip(".-")
                if looks_like_field_code(value):
                    out.append(Value("code", m.start(), start, start + len(value), value, generic, cut))
                elif _BARE_NUMBER.fullmatch(value) or (_WORD_CODE.fullmatch(value) and self.obs):
                    out.append(Value("code", m.start(), start, start + len(value), value, generic, cut, True))
                else:
                    sm = _STATUS_VALUE.fullmatch(value)
                    if sm and not generic:
                        # The Python SDK puts the HTTP status in error_code when the body is not
                        # JSON it can read; the real code, if any, is inside error_msg.
                        out.append(Value("status", m.start(), start, start + 3, sm.group(1)))
            elif kind == "message":
                value = clean_value(
                    raw if quoted else raw.rstrip().rstrip(",;").rstrip().rstrip("}").rstrip(", ")
                )
                if len(value) >= 3 and value[0] not in "{[" and value.lower() not in ("none", "null"):
                    out.append(Value("message", m.start(), start, end, value, generic, cut))
            elif kind == "status":
                sm = _STATUS_VALUE.match(raw.strip())
                if sm:
                    out.append(Value("status", m.start(), start, start + 3, sm.group(1)))
            else:
                rm = _REQUEST_ID_VALUE.match(raw.strip())
                if rm and any(c.isdigit() for c in rm.group(0)):
                    out.append(Value("request_id", m.start(), start, start + len(rm.group(0)), rm.group(0)))
        low = self.low
        for sm in _STATUS_TEXT.finditer(low):
            before = low[sm.start() - 1] if sm.start() else " "
            if before.isalnum() or before in "_/":
                continue
            out.append(Value("status", sm.start(), sm.start(1), sm.end(1), sm.group(1)))
        return out

    def cost(self, a_end: int, b_start: int) -> float:
        """How far apart two pieces of one error are, given a ends before b starts."""
        if b_start <= a_end:
            return 0.0
        gap = float(b_start - a_end)
        if gap > _MAX_GAP:
            return float("inf")
        if self.closing.between(a_end, b_start) or self.blank_lines.between(a_end, b_start):
            gap += _BOUNDARY_COST
        return gap
