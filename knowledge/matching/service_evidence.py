"""Which service a paste shows it called, from what surrounds the error rather than the code.

Structural evidence (strong): the host of a Huawei Cloud endpoint (`ocr.cn-north-4.myhuaweicloud.com`,
`iam.myhuaweicloud.com`, `…apic.ru-moscow-1.huaweicloudapis.com`, the Open Telekom Cloud and
Europe domains), the first path segment after `/v{n}/{project_id}/`, SDK packages and classes of
the Python, Java, Go and Node SDKs (`huaweicloudsdkocr`, `com.huaweicloud.sdk.ocr`,
`services/ocr`, `huaweicloud-sdk-ocr`, `OcrClient`, the logger `HuaweiCloud-SDK-OcrClient`),
Terraform resource types (`huaweicloud_ocr_…`), KooCLI (`hcloud OCR RecognizeX`) and the error
centre's `product=`. Prose evidence (weaker): the service's name in the words around the error.

A code's own prefix is not evidence: "ModelArts.4204" says nothing of which AI service answered
(they share the gateway codes), so a name right before ".digits" or in `keyword=` is skipped.

The reader only finds short names (keys) and words; mapping them to the knowledge base's slugs is
the index's (knowledge.matching.service_choice), which knows which services it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# API Gateway's own hosts for published APIs: <group id>.apic.<region>.huaweicloudapis.com
_APIC_HOST = re.compile(r"\.apic\.[a-z0-9\-]+\.huaweicloudapis\.com", re.IGNORECASE)
_PATH = re.compile(
    r"/v[0-9](?:\.[0-9])?/(?:(?:[0-9a-f]{32}|\{project_id\}|projects/[0-9a-f]{32})/)?([A-Za-z][A-Za-z0-9\-]{1,40})"
)
_PY_SDK = re.compile(r"huaweicloudsdk([a-z0-9]{2,30})")  # matched on the lowercased text
_JAVA_SDK = re.compile(r"com\.huaweicloud\.sdk\.([a-z0-9]{2,30})\.")
_GO_SDK = re.compile(r"huaweicloud-sdk-go-v3/services/([a-z0-9]{2,30})/")
_NODE_SDK = re.compile(r"huaweicloud-sdk-([a-z0-9]{2,30})")  # matched on the lowercased text
_PY_CLIENT_FILE = re.compile(r"\b([a-z0-9]{2,30})_(?:async_)?client\.py")
_TERRAFORM = re.compile(r"\b(?:huaweicloud|flexibleengine|opentelekomcloud)_([a-z0-9]{2,30})_[a-z0-9_]+")
_KOOCLI = re.compile(r"\bhcloud\s+([A-Za-z][A-Za-z0-9]{1,30})\s+[A-Z][A-Za-z0-9]+")
_PRODUCT = re.compile(r"[?&]product=([A-Za-z][A-Za-z0-9]{1,30})")
# SDK plumbing that shares the shapes above but names no service.
_NOT_SERVICES = frozenset(
    {"core", "http", "defaulthttp", "hc", "sdk", "base", "web", "rest", "api", "new", "apierrorcenter",
     "console", "support", "developer", "www", "auth", "go", "java", "python", "nodejs", "node", "v3", "usdk"}
)  # fmt: skip

_NAME_GAPS = re.compile(r"[ _\-]+")


def prose_key(name: str) -> str:
    """A name as the index files it: "Image-Recognition", "image recognition" are one."""
    return _NAME_GAPS.sub(" ", name.strip().lower())


class ProseNames:
    """Some services' names in prose, as one alternation (longest first), and the first words
    that begin them: the alternation is tried only where one of those is, a few `str.find`s
    instead of a regex at every character. The index builds one per set of services a code is
    in (knowledge.matching.service_choice)."""

    __slots__ = ("pattern", "first_words", "ascii_first_words", "dotless")

    def __init__(self, names: Iterable[str]) -> None:
        ordered = sorted(set(names), key=lambda n: (-len(n), n))
        alternation = "|".join(r"[ _\-]?".join(re.escape(w) for w in n.split(" ")) for n in ordered)
        # ASCII names must stand as words; Chinese ones have no word boundaries. A name right
        # before ".digits" is a code's prefix ("ModelArts.4204"), not the service that answered.
        self.pattern = re.compile(
            rf"(?<![A-Za-z0-9_\-/.])(?:{alternation})(?![A-Za-z0-9_\-]|\.[0-9])", re.IGNORECASE
        )
        firsts = {n.split(" ")[0] for n in ordered}
        # "model" is found wherever "modelarts" is: look for the shorter alone.
        self.first_words = tuple(
            sorted(w for w in firsts if not any(o != w and w.startswith(o) for o in firsts))
        )
        self.ascii_first_words = tuple(w for w in self.first_words if w.isascii())
        # No name holds a ".": none can run on past the "." of a code ("ModelArts.4204").
        self.dotless = not any("." in n for n in ordered)

    def starts(self, low: str) -> list[int]:
        """Where a name may begin in `low` (the text lower-cased), in order."""
        words = self.ascii_first_words if low.isascii() else self.first_words  # isascii is O(1)
        out: list[int] = []
        for word in words:
            at = low.find(word)
            while at >= 0:
                out.append(at)
                at = low.find(word, at + 1)
        out.sort()
        return out


class Evidence:
    """Short names (lower case) the paste shows: strong (the wire) at once; prose (words) only
    when asked for, and only for the few services a code is in (`prose`), since most pastes are
    decided by the wire alone and a scan for every service's every name costs more than the
    rest of a match."""

    __slots__ = ("strong", "paths", "text", "low", "_prose")

    def __init__(self, text: str) -> None:
        self.text = text
        self.low = text.lower()
        strong, paths = _keys(text, self.low)
        self.strong = frozenset(strong)
        self.paths = frozenset(paths)  # endpoint path segments, as written
        self._prose: dict[int, frozenset[str]] = {}

    def prose(self, names: ProseNames) -> frozenset[str]:
        """The names of `names` the text shows in its prose, as the index files them."""
        found = self._prose.get(id(names))
        if found is None:
            found = self._prose[id(names)] = _prose(self.text, _name_matches(self, names))
        return found


# (literal that must be in the lowercased text, pattern) for each kind of wire evidence: the
# literal check is a fast scan that spares most texts the regex.
_GUARDED = (
    ("huaweicloudsdk", _PY_SDK),
    ("com.huaweicloud.sdk.", _JAVA_SDK),
    ("huaweicloud-sdk-go-v3/services/", _GO_SDK),
    ("huaweicloud-sdk-", _NODE_SDK),
    ("_client.py", _PY_CLIENT_FILE),
    ("cloud_", _TERRAFORM),
    ("hcloud", _KOOCLI),
    ("product=", _PRODUCT),
)
_DOMAINS = ("myhuaweicloud", "huaweicloud.com", "t-systems.com", "huaweicloudapis", "myhwclouds")
_CLASS_SUFFIXES = ("Client", "Exception")
_NAME_SUFFIXES = ("Async", "Client", "Service")  # ModerationAsyncClient, ObsClientException
# The identifier before a suffix, read backwards (on the reversed text) by one regex call.
_NAME_BACKWARDS = re.compile(r"[A-Za-z0-9]{0,31}")


def _suffix_starts(text: str) -> Iterator[int]:
    """Where `Client` or `Exception` ends a word: `str.find`, much cheaper than a regex here."""
    n = len(text)
    for suffix in _CLASS_SUFFIXES:
        at = text.find(suffix)
        while at >= 0:
            end = at + len(suffix)
            if end == n or not (text[end].isalnum() or text[end] == "_"):
                yield at
            at = text.find(suffix, end)


def _class_prefixes(text: str) -> set[str]:
    """ "Ocr" of OcrClient, "Obs" of ObsException: the identifier right before the suffix."""
    out: set[str] = set()
    backwards: str | None = None
    for start in _suffix_starts(text):
        if backwards is None:
            backwards = text[::-1]
        run = _NAME_BACKWARDS.match(backwards, len(text) - start)  # matches always, maybe empty
        j = start - (run.end() - run.start() if run is not None else 0)
        if j > 0 and text[j - 1].isalnum():
            continue  # inside a longer word
        name = text[j:start]
        for suffix in _NAME_SUFFIXES:
            name = name.removesuffix(suffix)
        if len(name) >= 2 and name[0].isupper():
            out.add(name.lower())
    return out


_DOMAIN = re.compile(
    r"\.(?:myhuaweicloud\.(?:com|eu|cn)|myhwclouds\.com|huaweicloud\.com|otc\.t-systems\.com|huaweicloudapis\.com)"
)
_LABELS_BEFORE = re.compile(r"(?<![a-z0-9\-])([a-z][a-z0-9\-]{1,30})(?:\.[a-z]{2}-[a-z]+(?:-[0-9]{1,2})?)?$")


def _host_keys(low: str) -> set[str]:
    """The service label of each Huawei Cloud host: found from the rare domain backwards, which
    is much faster than trying every letter of the text as the start of a host."""
    out: set[str] = set()
    for m in _DOMAIN.finditer(low):
        label = _LABELS_BEFORE.search(low, max(0, m.start() - 50), m.start())
        if label is not None:
            out.add(label.group(1))
    return out


# Most literals hold "cloud": one scan for it spares a text without it the others.
_CLOUD = "cloud"
_GUARDS = {True: _GUARDED, False: tuple(g for g in _GUARDED if _CLOUD not in g[0])}
_DOMAIN_GUARDS = {True: _DOMAINS, False: tuple(d for d in _DOMAINS if _CLOUD not in d)}


def _keys(text: str, low: str) -> tuple[set[str], set[str]]:
    strong: set[str] = set()
    cloud = _CLOUD in low
    for literal, rx in _GUARDS[cloud]:
        if literal in low:
            on = low if rx in (_PY_SDK, _NODE_SDK) else text
            strong.update(m.group(1).lower() for m in rx.finditer(on))
    if any(d in low for d in _DOMAIN_GUARDS[cloud]):
        strong |= _host_keys(low)
        if _APIC_HOST.search(low):
            strong.add("apic")
    if "client" in low or "exception" in low:
        strong |= _class_prefixes(text)
    paths = {m.group(1) for m in _PATH.finditer(text)} if "/v" in text else set()
    return strong - _NOT_SERVICES, paths


def _name_matches(ev: Evidence, names: ProseNames) -> list[re.Match[str]]:
    """`names.pattern.finditer(ev.text)`, tried only where a name may begin."""
    text, low = ev.text, ev.low
    if not names.first_words:
        return []
    if len(low) != len(text):  # lower() changed lengths (rare letters): positions differ
        return list(names.pattern.finditer(text))
    found: list[re.Match[str]] = []
    end = 0
    match = names.pattern.match
    for at in names.starts(low):
        if at >= end:
            if names.dotless:
                # Most first words found are a code's own prefix: "modelarts" of ModelArts.4204.
                # A name ends where its letters do, and the pattern refuses one before ".digit".
                run = _ALNUM_RUN.match(low, at)
                after = run.end() if run is not None else at
                if low.startswith(".", after) and low[after + 1 : after + 2].isdigit():
                    continue
            m = match(text, at)
            if m is not None:
                end = m.end()
                found.append(m)
    return found


_NO_NAMES: frozenset[str] = frozenset()
_ALNUM_RUN = re.compile(r"[a-z0-9]*")


def _prose(text: str, matches: list[re.Match[str]]) -> frozenset[str]:
    if not matches:
        return _NO_NAMES
    prose: set[str] = set()
    for m in matches:
        before = text[max(0, m.start() - 9) : m.start()].lower()
        if before.endswith("keyword=") or before.rstrip().endswith("server:"):
            # Nor is a code's keyword, or the "Server: api-gateway" header every Huawei Cloud
            # response carries, the service that answered.
            continue
        prose.add(prose_key(m.group(0)))
    return frozenset(prose)


def read_evidence(text: str) -> Evidence:
    """The service names `text` shows on the wire; its prose is read when a code asks."""
    return Evidence(text)
