"""Find the errors a piece of text carries, without knowing which codes exist.

Huawei Cloud errors reach Slack in many wrappers (JSON bodies, Python/Java/Go/Node SDK
exceptions, curl -i output, Terraform and KooCLI output, log lines), but every wrapper spells the
same few facts as key/value pairs: a code, a message, an HTTP status and a request id. So rather
than one parser per format, the extractor finds every key it knows (`error_code`, `errorCode`,
`code`, `错误码`, …) with its value (quoted with any quote at any escape depth, or bare up to the
next key or the end of the line), adds codes written in running text (`AIS.0027`) and in
error-centre URLs (`keyword=`), and then gives each code the message, status and request id
nearest to it. Nesting (a JSON body inside another error's message string) needs nothing
special: the inner keys are found like any other.

Every step is a regex whose repetitions cannot match the same characters two ways (no
catastrophic backtracking) or a bisect over positions found in one pass, so the cost is linear in
the text whatever it holds (unclosed quotes, deep nesting, long runs of anything).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from urllib.parse import unquote

from knowledge.matching.clean import clean

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
_DOT_DIGITS = re.compile(
    r"\.([0-9]{3,10})(?:\.[0-9]{1,6}(?![0-9]))?(?![A-Za-z0-9\-]|_[A-Za-z0-9]|\.[A-Za-z0-9])"
)  # InferHub.001001005.400 has a second numeric part
_LETTER_RUN = re.compile(r"[A-Za-z_.]{1,130}")
_CODE_PREFIX = re.compile(r"[A-Za-z][A-Za-z_]{1,24}(?:\.[A-Za-z][A-Za-z_]{0,24}){0,3}")
_URL_KEYWORD = re.compile(r"[?&#]keyword=([^&#\s\"'<>|]{1,100})", re.IGNORECASE)
# A code in a field may be any identifier with a digit: IAM.0001, Ecs.0005, CCE.01400001.
_FIELD_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}(?:[.\-][A-Za-z0-9_]{1,30}){1,4}")
# Codes in a code field that are no identifiers with digits: IAM's bare numbers, OBS's words.
_BARE_NUMBER = re.compile(r"[0-9]{4,10}")
_WORD_CODE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*){1,6}")
_OBS_TEXT = re.compile(r"obsexception|\bobs\b|x-obs-|obs\.[a-z0-9\-]+\.myhuaweicloud|<error>")
_TRAILING_MESSAGE = re.compile(r"[ ]{0,3}(?:\(([^()\n]{3,300})\)|[:\-\u2013][ ]{1,3}([^\n]{3,300}))")

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
class _Value:
    kind: str  # "code" | "message" | "status" | "request_id"
    key_start: int
    start: int
    end: int
    value: str
    generic: bool = False  # "message"/"msg"/"code" rather than "error_msg"/"error_code"
    truncated: bool = False
    bare: bool = False


@dataclass(slots=True)
class _Anchor:
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


def _clean_value(raw: str) -> str:
    # JSON string escapes that survive into a message; the matcher compares words, not bytes.
    if "\\" in raw:
        raw = raw.replace("\\n", " ").replace("\\t", " ").replace("\\/", "/")
        raw = _ESCAPED_QUOTE.sub("", raw)
    return " ".join(raw.split())


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.newlines = _Positions([m.start() for m in re.finditer("\n", text)])
        self.closing = _Positions([m.start() for m in re.finditer(r"\}", text)])
        self.blank_lines = _Positions([m.start() for m in re.finditer(r"\n[ ]*\n", text)])
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
            # A quote preceded by exactly `depth` backslashes closes a value opened at that depth.
            pattern = re.compile(r"(?<!\\)" + r"\\" * depth + re.escape(quote))
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

    def values(self) -> list[_Value]:
        out: list[_Value] = []
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
                    out.append(_Value("code", m.start(), start, start + len(value), value, generic, cut))
                elif _BARE_NUMBER.fullmatch(value) or (_WORD_CODE.fullmatch(value) and self.obs):
                    out.append(
                        _Value("code", m.start(), start, start + len(value), value, generic, cut, True)
                    )
                else:
                    sm = _STATUS_VALUE.fullmatch(value)
                    if sm and not generic:
                        # The Python SDK puts the HTTP status in error_code when the body is not
                        # JSON it can read; the real code, if any, is inside error_msg.
                        out.append(_Value("status", m.start(), start, start + 3, sm.group(1)))
            elif kind == "message":
                value = _clean_value(
                    raw if quoted else raw.rstrip().rstrip(",;").rstrip().rstrip("}").rstrip(", ")
                )
                if len(value) >= 3 and value[0] not in "{[" and value.lower() not in ("none", "null"):
                    out.append(_Value("message", m.start(), start, end, value, generic, cut))
            elif kind == "status":
                sm = _STATUS_VALUE.match(raw.strip())
                if sm:
                    out.append(_Value("status", m.start(), start, start + 3, sm.group(1)))
            else:
                rm = _REQUEST_ID_VALUE.match(raw.strip())
                if rm and any(c.isdigit() for c in rm.group(0)):
                    out.append(_Value("request_id", m.start(), start, start + len(rm.group(0)), rm.group(0)))
        low = self.low
        for sm in _STATUS_TEXT.finditer(low):
            before = low[sm.start() - 1] if sm.start() else " "
            if before.isalnum() or before in "_/":
                continue
            out.append(_Value("status", sm.start(), sm.start(1), sm.end(1), sm.group(1)))
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


def _anchors(scanner: _Scanner, values: list[_Value]) -> list[_Anchor]:
    text = scanner.text
    anchors: list[_Anchor] = []
    taken: list[tuple[int, int]] = []
    for v in values:
        if v.kind == "code":
            anchors.append(
                _Anchor(
                    v.value,
                    v.key_start,
                    v.end,
                    FIELD,
                    True,
                    lo=v.key_start,
                    hi=v.end,
                    truncated=v.truncated,
                    bare=v.bare,
                )
            )
            taken.append((v.start, v.end))
    taken.sort()
    taken_starts = [s for s, _ in taken]

    def overlaps(a: int, b: int) -> bool:
        i = bisect.bisect_right(taken_starts, b) - 1
        return i >= 0 and taken[i][1] > a

    for m in _URL_KEYWORD.finditer(text):
        code = unquote(m.group(1)).strip()
        if looks_like_field_code(code) and not overlaps(m.start(1), m.end(1)):
            anchors.append(_Anchor(code, m.start(1), m.end(1), URL, True, lo=m.start(1), hi=m.end(1)))
    reversed_text = ""
    for dm in _DOT_DIGITS.finditer(text):
        dot = dm.start()
        if not reversed_text:
            reversed_text = text[::-1]
        run = _LETTER_RUN.match(reversed_text, len(text) - dot)
        if run is None:
            continue
        start = dot - (run.end() - run.start())
        while start < dot and text[start] == "_":  # Slack italics: _AIS.0027_
            start += 1
        before = text[start - 1] if start > 0 else " "
        if (before.isascii() and before.isalnum()) or before in "-/@#$":
            continue
        prefix = text[start:dot]
        if not _CODE_PREFIX.fullmatch(prefix):
            continue
        end = dm.end()
        if overlaps(start, end):
            continue
        if any(a.kind == URL and a.start <= start < a.end for a in anchors[-4:]):
            continue
        anchor = _Anchor(
            text[start:end], start, end, TOKEN, is_strong_token(prefix, dm.group(1)), lo=start, hi=end
        )
        # "ModelArts.4107 (An exception occurred …)" or "AIS.0027: The account has been frozen."
        tm = _TRAILING_MESSAGE.match(text, end)
        if tm:
            anchor.message = _clean_value(tm.group(1) or tm.group(2))
            anchor.message_cost = 0.0
            anchor.hi = tm.end()
        else:
            _message_below(text, anchor)
        anchors.append(anchor)
    anchors.sort(key=lambda a: a.start)
    return anchors


# The console's and SDKs' four-line form: status, request id, code, message, one to a line.
_LINE_BELOW = re.compile(r"[ \t]*\n[ \t]*([^\n{}\[\]<>]{3,300}?)[ \t]*(?=\n|$)")


def _message_below(text: str, anchor: _Anchor) -> None:
    """A code alone on its line, with a sentence on the next: that sentence is its message."""
    line_start = text.rfind("\n", 0, anchor.start) + 1
    if text[line_start : anchor.start].strip(" \t`*>-"):
        return
    m = _LINE_BELOW.match(text, anchor.end)
    if m is None or _DOT_DIGITS.search(m.group(1)) or sum(c.isalpha() for c in m.group(1)) < 3:
        return
    below = m.group(1)
    if ":" in below[:30] or not (below[0].isalpha() or "\u3400" <= below[0] <= "\u9fff"):
        return  # "request_id: …", "at com.…", "2025-…": not a message
    anchor.message = _clean_value(below)
    anchor.message_cost = 5.0
    anchor.hi = m.end(1)


def _attach(scanner: _Scanner, anchors: list[_Anchor], values: list[_Value]) -> list[_Value]:
    """Give each anchor its nearest message, status and request id; return the messages left."""
    starts = [a.start for a in anchors]
    orphans: list[_Value] = []
    for v in values:
        if v.kind == "code":
            continue
        best: _Anchor | None = None
        best_cost = float("inf")
        i = bisect.bisect_right(starts, v.key_start)
        for j in (i - 1, i):  # the nearest code before and after
            if 0 <= j < len(anchors):
                a = anchors[j]
                c = (
                    scanner.cost(a.end, v.key_start)
                    if a.start <= v.key_start
                    else scanner.cost(v.end, a.start)
                )
                if v.generic:
                    c += 50
                if c < best_cost:
                    best, best_cost = a, c
        if best is None or best_cost == float("inf"):
            if v.kind == "message":
                orphans.append(v)
            continue
        if v.kind == "message" and best_cost < best.message_cost:
            best.message, best.message_cost = v.value, best_cost
        elif v.kind == "status" and best_cost < best.status_cost:
            best.status, best.status_cost = int(v.value), best_cost
        elif v.kind == "request_id" and best_cost < best.request_id_cost:
            best.request_id, best.request_id_cost = v.value, best_cost
        else:
            continue
        best.lo = min(best.lo, v.key_start)
        best.hi = max(best.hi, v.end)
    return orphans


def extract_all(text: str) -> Extraction:
    """The cleaned text and the mentions in it, in order of appearance."""
    cleaned = clean(text)
    scanner = _Scanner(cleaned)
    values = scanner.values()
    anchors = _anchors(scanner, values)
    orphans = _attach(scanner, anchors, values)
    mentions = [
        Mention(
            a.code, a.message, a.status, a.request_id, (a.lo, a.hi), a.kind, a.strong, a.truncated, a.bare
        )
        for a in anchors
    ]
    for v in orphans:
        mentions.append(Mention(None, v.value, None, None, (v.key_start, v.end), MESSAGE, True, v.truncated))
    mentions.sort(key=lambda m: m.span[0])
    return Extraction(cleaned, mentions)


def extract(text: str) -> list[Mention]:
    """Raw mentions of errors in `text`: codes as written, with message/status/request id."""
    return extract_all(text).mentions
