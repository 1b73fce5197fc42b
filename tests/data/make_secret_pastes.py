# ruff: noqa: E501 - generated values in long f-strings read better unbroken
"""Write secret_pastes.json: realistic pastes carrying generated (not real) credentials.

Run once by hand (`python tests/data/make_secret_pastes.py`); the JSON is what tests read. Every
value is random from a fixed seed, shaped like the real thing, and valid for nothing.
"""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path
from typing import Any

rng = random.Random(20261120)
UP = string.ascii_uppercase + string.digits
B64 = string.ascii_letters + string.digits + "+/"
URLSAFE = string.ascii_letters + string.digits + "-_"
HEX = "0123456789abcdef"


def pick(alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def ak() -> str:
    return "HPU" + pick(UP, 17)


def sk() -> str:
    return pick(string.ascii_letters + string.digits, 40)


def iam_token() -> str:
    return "MIIZ" + pick(B64.replace("/", "-").replace("+", "_"), 600)


def temp_token() -> str:
    return "gQpjbi1ub3J0aC00" + pick(URLSAFE, 300)


def jwt() -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    head = part({"alg": "HS256", "typ": "JWT"})
    body = part({"sub": pick(HEX, 12), "iat": 1763600000, "name": "svc-moderation"})
    return f"{head}.{body}.{pick(URLSAFE, 43)}"


def pem(kind: str) -> tuple[str, str]:
    lines = [pick(B64, 64) for _ in range(12)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----", lines[3]


def password() -> str:
    return (
        pick(string.ascii_letters, 6)
        + pick(string.digits, 3)
        + rng.choice("!#%^*")
        + pick(string.ascii_letters, 4)
    )


def hexsig() -> str:
    return pick(HEX, 64)


def b64sig() -> str:
    return pick(B64, 27) + "="


pastes: list[dict[str, Any]] = []


def add(kind: str, text: str, *secrets: str) -> None:
    pastes.append({"kind": kind, "text": text, "secrets": list(secrets)})


codes = ["AIS.0002", "AIS.0004", "AIS.0005", "AIS.0010", "AIS.0011", "AIS.0014", "AIS.0015", "AIS.0020"]


def code() -> str:
    return rng.choice(codes)


for _ in range(3):
    a, s = ak(), sk()
    add(
        "env AK/SK",
        f"export HUAWEICLOUD_SDK_AK={a}\nexport HUAWEICLOUD_SDK_SK={s}\nerror_code {code()} failed",
        a,
        s,
    )
for _ in range(2):
    t = iam_token()
    add(
        "curl X-Auth-Token",
        f'curl -X POST https://moderation.cn-north-4.myhuaweicloud.com/v3/p/moderation/text -H "X-Auth-Token: {t}"\n'
        f'{{"error_code":"{code()}","error_msg":"The request is unauthorized."}}',
        t[:80],
    )
for _ in range(2):
    t = temp_token()
    add("x-security-token", f"x-security-token: {t}\nerror_code: {code()}", t[:80])
for _ in range(2):
    a, sig = ak(), hexsig()
    add(
        "SDK-HMAC-SHA256",
        f"DEBUG request headers: {{'Authorization': 'SDK-HMAC-SHA256 Access={a}, "
        f"SignedHeaders=content-type;host;x-sdk-date, Signature={sig}'}}\nerror_code={code()}",
        a,
        sig,
    )
for _ in range(3):
    a, sig = ak(), b64sig()
    add(
        "OBS v2 Authorization",
        f"PUT /bucket/obj HTTP/1.1\nAuthorization: OBS {a}:{sig}\n{code()} returned",
        a,
        sig,
    )
add("OBS v2 in a log line", f"obs sign: OBS {ak()}:{(s := b64sig())} -> {code()}", s)
for _ in range(2):
    a, sig = ak(), b64sig()
    add(
        "OBS pre-signed URL",
        f"GET https://bucket.obs.cn-north-4.myhuaweicloud.com/a.jpg?AccessKeyId={a}&Expires=1763600000"
        f"&Signature={sig.replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')} -> {code()}",
        a,
        sig.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"),
    )
for _ in range(3):
    pw = "p@" + password()
    add(
        "DSN with @ in the password",
        f"db=postgresql://app:{pw}@db.internal:5432/prod\n{code()} The service does not exist.",
        pw,
    )
add("mysql DSN", f"mysql://root:{(pw := password())}@10.0.0.5:3306/app failed, error_code {code()}", pw)
for _ in range(3):
    pw = password() + " " + password()
    add(
        "JSON password with a space",
        f'{{"username": "svc", "password": "{pw}", "error_code": "{code()}"}}',
        pw,
    )
add("YAML password", f"password: '{(pw := password())} {password()}'\nerror_code: {code()}", pw)
for _ in range(3):
    pw = password()
    add("curl -u", f"curl -u admin:{pw} https://iam.myhuaweicloud.com/v3/auth/tokens\n{code()}", pw)
for kind in ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY"):
    key, line = pem(kind)
    add(f"PEM {kind}", f"here is the key I used:\n{key}\nand the call failed with {code()}", line)
key, line = pem("PRIVATE KEY")
add(
    "PKCS8 inside JSON",
    json.dumps({"type": "service_account", "private_key": key, "error_code": code()}),
    line,
)
key, line = pem("PRIVATE KEY")
add("PKCS8 in JSON, no END", json.dumps({"private_key": key.split("-----END")[0]}) + f" {code()}", line)
for _ in range(3):
    t = f"xoxb-{pick(string.digits, 12)}-{pick(string.digits, 13)}-{pick(string.ascii_letters + string.digits, 24)}"
    add("bare Slack token", f"our bot token {t} stopped working, {code()}", t)
add(
    "Slack xoxp",
    f"token xoxp-{(t := pick(string.digits, 11) + '-' + pick(string.digits, 12) + '-' + pick(HEX, 32))}",
    t,
)
for _ in range(2):
    t = jwt()
    add("bare JWT", f"jwt={t} rejected: {code()}", t.split(".")[2])
for _ in range(2):
    t = jwt()
    add(
        "Bearer JWT",
        f'Authorization: Bearer {t}\n{{"error_code": "{code()}"}}',
        t.split(".")[2],
        t.split(".")[1],
    )
add("JWT in JSON", f'{{"id_token": "{(t := jwt())}", "error_code": "{code()}"}}', t.split(".")[2])
for _ in range(3):
    c = pick(URLSAFE, 40)
    add("Cookie header", f"Cookie: SESSION={c}; locale=en-us\n{code()}", c)
add(
    "Set-Cookie header",
    f"< Set-Cookie: JSESSIONID={(c := pick(HEX, 32).upper())}; Path=/; HttpOnly\n{code()}",
    c,
)
for _ in range(3):
    t = iam_token()
    add(
        "secret in an unknown code's message",
        f'{{"error_code": "APIG.{rng.randint(1000, 9999)}", "error_msg": "Incorrect IAM authentication token {t[:120]}"}}',
        t[:80],
    )
add(
    "password in an unknown code's message",
    f'{{"error_code": "DEW.{rng.randint(1000, 9999)}", "error_msg": "login failed for password={(pw := password())}"}}',
    pw,
)
for _ in range(2):
    a = ak()
    add("AK in request_id", f'{{"error_code": "{code()}", "error_msg": "x", "request_id": "{a}"}}', a)
add(
    "Slack token in request_id",
    f'{{"error_code": "{code()}", "request_id": "{(t := "xoxb-" + pick(string.digits, 12) + "-" + pick(string.digits, 13) + "-" + pick(string.ascii_letters, 24))}"}}',
    t,
)
add(
    "GitHub token",
    f"GITHUB_TOKEN=ghp_{(t := pick(string.ascii_letters + string.digits, 36))} deploy failed {code()}",
    t,
)
add(
    "AWS keys",
    f"AWS_ACCESS_KEY_ID=AKIA{(a := pick(UP, 16))}\naws_secret_access_key = {(s := sk())}\n{code()}",
    a,
    s,
)
add(
    "client_secret in query",
    f"POST /token?client_id=app&client_secret={(s := pick(URLSAFE, 32))} -> {code()}",
    s,
)
add(
    "X-Auth-Token in JSON headers",
    f'{{"headers": {{"X-Auth-Token": "{(t := iam_token())}"}}, "error_code": "{code()}"}}',
    t[:80],
)
add(
    "Basic auth header",
    f"Authorization: Basic {(b := base64.b64encode(('admin:' + password()).encode()).decode())}\n{code()}",
    b,
)

assert len(pastes) >= 50, len(pastes)
for p in pastes:
    for s in p["secrets"]:
        assert s in p["text"], (p["kind"], s)
Path(__file__).with_name("secret_pastes.json").write_text(json.dumps(pastes, indent=1) + "\n")
print(len(pastes), "pastes")
