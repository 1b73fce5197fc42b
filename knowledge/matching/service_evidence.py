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

_CODE_AFTER = re.compile(r"[.\-_][0-9]")
_NAME_GAPS = re.compile(r"[ _\-]+")


def prose_key(name: str) -> str:
    """A name as the index files it: "Image-Recognition", "image recognition" are one."""
    return _NAME_GAPS.sub(" ", name.strip().lower())


class Evidence:
    """Short names (lower case) the paste shows: strong (the wire) at once, prose (words) when
    first asked for, since most pastes are decided by the wire alone."""

    __slots__ = ("strong", "paths", "_text", "_names", "_prose")

    def __init__(self, text: str, prose_names: re.Pattern[str] | None) -> None:
        strong, paths = _keys(text)
        self.strong = frozenset(strong)
        self.paths = frozenset(paths)  # endpoint path segments, as written
        self._text = text
        self._names = prose_names
        self._prose: frozenset[str] | None = None

    @property
    def prose(self) -> frozenset[str]:
        """Prose names found, lower case, as the index listed them."""
        if self._prose is None:
            self._prose = (
                frozenset(_prose(self._text, self._names)) if self._names is not None else frozenset()
            )
        return self._prose


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
_CLASS_SUFFIX = re.compile(r"(?:Client|Exception)\b")
_NAME_SUFFIXES = ("Async", "Client", "Service")  # ModerationAsyncClient, ObsClientException


def _class_prefixes(text: str) -> set[str]:
    """ "Ocr" of OcrClient, "Obs" of ObsException: the identifier right before the suffix."""
    out: set[str] = set()
    for m in _CLASS_SUFFIX.finditer(text):
        j = m.start()
        while j > 0 and m.start() - j < 31 and text[j - 1].isascii() and text[j - 1].isalnum():
            j -= 1
        name = text[j : m.start()]
        for suffix in _NAME_SUFFIXES:
            name = name.removesuffix(suffix)
        if len(name) >= 2 and name[0].isupper() and not (j > 0 and text[j - 1].isalnum()):
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


def _keys(text: str) -> tuple[set[str], set[str]]:
    low = text.lower()
    strong: set[str] = set()
    for literal, rx in _GUARDED:
        if literal in low:
            on = low if rx in (_PY_SDK, _NODE_SDK) else text
            strong.update(m.group(1).lower() for m in rx.finditer(on))
    if any(d in low for d in _DOMAINS):
        strong |= _host_keys(low)
        if _APIC_HOST.search(low):
            strong.add("apic")
    if "client" in low or "exception" in low:
        strong |= _class_prefixes(text)
    paths = {m.group(1) for m in _PATH.finditer(text)} if "/v" in text else set()
    return strong - _NOT_SERVICES, paths


def _prose(text: str, names: re.Pattern[str]) -> set[str]:
    prose: set[str] = set()
    for m in names.finditer(text):
        before = text[max(0, m.start() - 9) : m.start()].lower()
        if (
            _CODE_AFTER.match(text, m.end())
            or before.endswith("keyword=")
            or before.rstrip().endswith("server:")
        ):
            # The prefix of a code ("ModelArts.4204") is not the service that answered, nor is
            # the "Server: api-gateway" header every Huawei Cloud response carries.
            continue
        prose.add(prose_key(m.group(0)))
    return prose


def read_evidence(text: str, prose_names: re.Pattern[str] | None) -> Evidence:
    """The service names `text` shows; `prose_names` is the index's pattern of prose names."""
    return Evidence(text, prose_names)
