"""Huawei Cloud's services, as pastes and pages name them.

One `Profile` per service: the slug the knowledge base files its codes under, the name shown to
people, and the names the service goes by on the wire and in prose. Huawei Cloud names a service
by one short "endpoint name" almost everywhere: the first label of its host
(`ocr.cn-north-4.myhuaweicloud.com`), the Python SDK package (`huaweicloudsdkocr`), the Java
package (`com.huaweicloud.sdk.ocr`), the Go and Node SDK paths (`services/ocr`,
`huaweicloud-sdk-ocr`), the client class (`OcrClient`, logged as `HuaweiCloud-SDK-OcrClient`) and
KooCLI's product (`hcloud OCR …`). Terraform resource types use the same short name or an older
one (`huaweicloud_identity_user` for IAM). So each profile lists its short names (`keys`), and
the evidence reader (knowledge.matching.service_evidence) only has to find short names.

`normalise_service` turns what a person types for `--service` ("OCR", "Optical Character
Recognition", "content_moderation") into the slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    slug: str
    display: str
    keys: tuple[str, ...] = ()  # short names on the wire (hosts, SDKs, clients, KooCLI, Terraform)
    names: tuple[str, ...] = ()  # names in prose, English and Chinese (matched as whole words)
    paths: tuple[str, ...] = ()  # first segments of endpoint paths after /v{n}/{project_id}/
    # Slugs to try, in order, when a team filed this service's codes under another name.
    also: tuple[str, ...] = ()
    # API Gateway answers every API call before the service behind it does (APIGW.0301 from a
    # VPC call): a paste that names another service does not rule the gateway out.
    fronts_every_call: bool = False


PROFILES: tuple[Profile, ...] = (
    Profile(
        "api-gateway",
        "API Gateway",
        keys=("apic", "apigw", "huaweicloudapis"),
        names=("API Gateway", "API网关", "APIGW", "APIG"),
        also=("api-gateway-management", "apig"),
        fronts_every_call=True,
    ),
    Profile(
        "api-gateway-management",
        "API Gateway management API",
        keys=("apig",),
        names=("APIG", "APIG management", "APIG instance", "API Gateway management"),
        paths=("apigw",),
        also=("api-gateway", "apig"),
    ),
    Profile(
        "content-moderation",
        "Content Moderation",
        keys=("moderation",),
        names=(
            "Content Moderation",
            "moderation",
            "内容审核",
            "图片审核",
            "文本审核",
            "音频审核",
            "视频审核",
        ),
        paths=("moderation",),
        also=("moderation",),
    ),
    Profile(
        "modelarts",
        "ModelArts",
        keys=("modelarts",),
        names=("ModelArts", "Model Arts"),
        paths=(
            "notebooks",
            "training-jobs",
            "training-job-flavors",
            "datasets",
            "models",
            "workforces",
            "processor-tasks",
            "workflows",
            "pools",
            "devserver",
        ),
    ),
    Profile(
        "iam",
        "Identity and Access Management",
        keys=("iam", "identity"),
        names=("IAM", "Identity and Access Management", "统一身份认证"),
        paths=("OS-USER", "OS-ROLE", "OS-CREDENTIAL", "OS-SECURITYPOLICY", "OS-MFA", "OS-FEDERATION", "auth"),
    ),
    Profile(
        "ocr",
        "Optical Character Recognition",
        keys=("ocr",),
        names=("OCR", "Optical Character Recognition", "文字识别"),
        paths=("ocr",),
    ),
    Profile(
        "image-recognition",
        "Image Recognition",
        keys=("image",),
        names=("Image Recognition", "图像识别"),
        paths=("image",),
    ),
    Profile(
        "nlp",
        "Natural Language Processing",
        keys=("nlp",),
        names=("NLP", "自然语言处理"),
        paths=("nlp-fundamental",),
    ),
    Profile("sis", "Speech Interaction Service", keys=("sis",), names=("Speech Interaction", "语音交互")),
    Profile(
        "frs",
        "Face Recognition",
        keys=("frs", "face"),
        names=("Face Recognition", "人脸识别"),
        paths=("face-sets",),
    ),
    Profile(
        "ecs",
        "Elastic Cloud Server",
        keys=("ecs", "compute"),
        names=("ECS", "Elastic Cloud Server", "弹性云服务器"),
        paths=("cloudservers", "servers"),
    ),
    Profile(
        "evs",
        "Elastic Volume Service",
        keys=("evs", "blockstorage"),
        names=("EVS", "Elastic Volume Service", "云硬盘"),
        paths=("cloudvolumes",),
    ),
    Profile(
        "vpc",
        "Virtual Private Cloud",
        keys=("vpc", "networking"),
        names=("VPC", "Virtual Private Cloud", "虚拟私有云"),
        paths=("vpcs", "subnets", "publicips", "security-groups"),
    ),
    Profile(
        "obs", "Object Storage Service", keys=("obs",), names=("OBS", "Object Storage Service", "对象存储")
    ),
    Profile(
        "cce", "Cloud Container Engine", keys=("cce",), names=("CCE", "Cloud Container Engine", "云容器引擎")
    ),
    Profile(
        "rds",
        "Relational Database Service",
        keys=("rds",),
        names=("RDS", "Relational Database Service", "云数据库"),
    ),
    Profile("dcs", "Distributed Cache Service", keys=("dcs",), names=("DCS", "Distributed Cache Service")),
    Profile(
        "dms",
        "Distributed Message Service",
        keys=("dms", "kafka", "rabbitmq", "rocketmq"),
        names=("DMS", "Distributed Message Service"),
    ),
    Profile(
        "elb",
        "Elastic Load Balance",
        keys=("elb",),
        names=("ELB", "Elastic Load Balance", "弹性负载均衡"),
        paths=("elb",),
    ),
    Profile("dns", "Domain Name Service", keys=("dns",), names=("Domain Name Service", "云解析")),
    Profile("ces", "Cloud Eye", keys=("ces",), names=("Cloud Eye", "云监控")),
    Profile("lts", "Log Tank Service", keys=("lts",), names=("Log Tank Service", "云日志")),
    Profile(
        "smn",
        "Simple Message Notification",
        keys=("smn",),
        names=("SMN", "Simple Message Notification", "消息通知"),
    ),
    Profile(
        "functiongraph",
        "FunctionGraph",
        keys=("functiongraph", "fgs"),
        names=("FunctionGraph", "函数工作流"),
        paths=("fgs",),
    ),
    Profile(
        "kms",
        "Key Management Service",
        keys=("kms", "dew", "csms"),
        names=("KMS", "Key Management Service", "Data Encryption Workshop"),
    ),
    Profile("cts", "Cloud Trace Service", keys=("cts",), names=("Cloud Trace Service", "云审计")),
    Profile("as", "Auto Scaling", keys=("as", "autoscaling"), names=("Auto Scaling", "弹性伸缩")),
    Profile("swr", "Software Repository for Container", keys=("swr",), names=("SWR", "容器镜像服务")),
    Profile("css", "Cloud Search Service", keys=("css",), names=("Cloud Search Service", "云搜索服务")),
    Profile("dws", "Data Warehouse Service", keys=("dws",), names=("GaussDB(DWS)", "Data Warehouse Service")),
    Profile("dli", "Data Lake Insight", keys=("dli",), names=("DLI", "Data Lake Insight", "数据湖探索")),
    Profile("gaussdb", "GaussDB", keys=("gaussdb",), names=("GaussDB",)),
    Profile("ims", "Image Management Service", keys=("ims",), names=("Image Management Service", "镜像服务")),
    Profile(
        "sfs",
        "Scalable File Service",
        keys=("sfs", "sfsturbo"),
        names=("Scalable File Service", "弹性文件服务"),
    ),
    Profile("cbr", "Cloud Backup and Recovery", keys=("cbr",), names=("Cloud Backup and Recovery", "云备份")),
    Profile("waf", "Web Application Firewall", keys=("waf",), names=("WAF", "Web Application Firewall")),
    Profile("cdn", "Content Delivery Network", keys=("cdn",), names=("CDN", "Content Delivery Network")),
    Profile("bss", "Billing Center", keys=("bss", "bssintl"), names=("Billing Center", "费用中心")),
)

_BY_SLUG = {p.slug: p for p in PROFILES}
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())  # Chinese names keep their characters


# What a person may type for a service, squashed: slug, display name, short names, prose names.
_ALIASES: dict[str, str] = {}
for _p in PROFILES:
    for _name in (_p.slug, _p.display, *_p.keys, *_p.names):
        _ALIASES.setdefault(_squash(_name), _p.slug)


def profile(slug: str) -> Profile | None:
    return _BY_SLUG.get(slug)


def slugify(name: str) -> str:
    """ "Content Moderation" -> "content-moderation": lower case, words joined by hyphens."""
    return "-".join(w for w in _SLUG_CHARS.split(name.strip().lower()) if w)[:64]


def normalise_service(name: str) -> str:
    """The slug for a service as a person names it: "OCR", "Optical Character Recognition",
    "ocr" are one service; a name Huawei Cloud's catalogue lacks becomes a slug of its own."""
    squashed = _squash(name)
    known = _ALIASES.get(squashed) if squashed else None
    return known if known is not None else slugify(name)


def display_name(slug: str) -> str:
    """The name people read: the catalogue's, else the slug with its words capitalised."""
    found = _BY_SLUG.get(slug)
    if found is not None:
        return found.display
    return " ".join(w.capitalize() for w in slug.split("-")) or slug
