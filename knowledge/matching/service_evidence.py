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
from dataclasses import dataclass

# host labels: <key>[.<region>].<domain>; regions look like cn-north-4, eu-de, ap-southeast-1.
_HOST = re.compile(
    r"(?<![A-Za-z0-9\-])([a-z][a-z0-9\-]{1,30})\.(?:[a-z]{2}-[a-z]+(?:-[0-9]{1,2})?\.)?"
    r"(?:myhuaweicloud\.(?:com|eu)|myhwclouds\.com|huaweicloud\.com|otc\.t-systems\.com"
    r"|huaweicloudapis\.com|myhuaweicloud\.cn)",
    re.IGNORECASE,
)
# API Gateway's own hosts for published APIs: <group id>.apic.<region>.huaweicloudapis.com
_APIC_HOST = re.compile(r"\.apic\.[a-z0-9\-]+\.huaweicloudapis\.com", re.IGNORECASE)
_PATH = re.compile(
    r"/v[0-9](?:\.[0-9])?/(?:(?:[0-9a-f]{32}|\{project_id\}|projects/[0-9a-f]{32})/)?([A-Za-z][A-Za-z0-9\-]{1,40})"
)
_PY_SDK = re.compile(r"huaweicloudsdk([a-z0-9]{2,30})", re.IGNORECASE)
_JAVA_SDK = re.compile(r"com\.huaweicloud\.sdk\.([a-z0-9]{2,30})\.")
_GO_SDK = re.compile(r"huaweicloud-sdk-go-v3/services/([a-z0-9]{2,30})/")
_NODE_SDK = re.compile(r"huaweicloud-sdk-([a-z0-9]{2,30})", re.IGNORECASE)
_PY_CLIENT_FILE = re.compile(r"\b([a-z0-9]{2,30})_(?:async_)?client\.py")
_CLIENT_CLASS = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Za-z0-9]{1,30}?)(?:Async)?Client\b")
_EXCEPTION_CLASS = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z]{1,20})(?:Client|Service)?Exception\b")
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


@dataclass(frozen=True, slots=True)
class Evidence:
    """Short names (lower case) the paste shows, strong (wire) and prose (words)."""

    strong: frozenset[str]
    paths: frozenset[str]  # endpoint path segments, as written
    prose: frozenset[str]  # prose names found, lower case, as the index listed them

    @property
    def empty(self) -> bool:
        return not (self.strong or self.paths or self.prose)


def _keys(text: str) -> tuple[set[str], set[str]]:
    strong: set[str] = set()
    for rx in (_PY_SDK, _JAVA_SDK, _GO_SDK, _NODE_SDK, _PY_CLIENT_FILE, _TERRAFORM):
        strong.update(m.group(1).lower() for m in rx.finditer(text))
    for m in _HOST.finditer(text):
        strong.add(m.group(1).lower())
    if _APIC_HOST.search(text):
        strong.add("apic")
    for rx in (_CLIENT_CLASS, _EXCEPTION_CLASS):  # OcrClient, ObsException
        strong.update(m.group(1).lower() for m in rx.finditer(text))
    for rx in (_KOOCLI, _PRODUCT):
        strong.update(m.group(1).lower() for m in rx.finditer(text))
    paths = {m.group(1) for m in _PATH.finditer(text)}
    return strong - _NOT_SERVICES, paths


def read_evidence(text: str, prose_names: re.Pattern[str] | None) -> Evidence:
    """The service names `text` shows; `prose_names` is the index's pattern of prose names."""
    strong, paths = _keys(text)
    prose: set[str] = set()
    if prose_names is not None:
        for m in prose_names.finditer(text):
            before = text[max(0, m.start() - 9) : m.start()].lower()
            if (
                _CODE_AFTER.match(text, m.end())
                or before.endswith("keyword=")
                or before.rstrip().endswith("server:")
            ):
                # The prefix of a code ("ModelArts.4204") is not the service that answered, nor
                # is the "Server: api-gateway" header every Huawei Cloud response carries.
                continue
            prose.add(prose_key(m.group(0)))
    return Evidence(frozenset(strong), frozenset(paths), frozenset(prose))
