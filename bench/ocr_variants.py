"""Screenshots made differently from the development set: how many are read fully right?

    .venv/bin/python bench/ocr_variants.py [--images 60] [--negatives 40] [--seed 3] [--show-misses]

The development set (../shared/eval/screenshots) is one way of making screenshots; the held-out
set is made another way. This draws its own, at random: nine fonts (every family matplotlib
ships: DejaVu Sans, Sans Mono, Serif, bold, condensed, light; STIX; Computer Modern typewriter
and sans), 12–26 px, six colour themes (low-contrast ones included), six layouts (an HTTP
response, an SDK traceback, a log, a terminal that wraps the body mid-code, a dialog, a Chinese
console message) and PNG or JPEG. Codes come from the bundled knowledge base. Negatives are
screens of the same kinds with no error on them: versions, job numbers, flavours, IPs, tables.
Chinese lines are drawn only when a CJK font is installed (Debian's fonts-wqy-microhei, say);
otherwise that layout is left out. Prints: fully right, wrong confident codes, replies to
negatives, and the time per image.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from bot.core.ocr.reader import read_text  # noqa: E402
from knowledge.matching.entries import bundled_entries  # noqa: E402
from knowledge.matching.matcher import Matcher  # noqa: E402
from knowledge.matching.unclear import read_clearly  # noqa: E402

MPL_FONTS = [
    "DejaVuSansMono.ttf",
    "DejaVuSans.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "STIXGeneral.ttf",
    "cmtt10.ttf",
    "cmss10.ttf",
    "DejaVuSerif-Bold.ttf",
]
CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
THEMES: list[tuple[tuple[int, int, int], tuple[int, int, int]]] = [
    ((30, 30, 30), (220, 220, 220)),
    ((255, 255, 255), (20, 20, 20)),
    ((0, 43, 54), (147, 161, 161)),  # Solarized dark: low contrast
    ((40, 42, 54), (248, 248, 242)),
    ((245, 245, 245), (110, 110, 110)),  # grey on white
    ((12, 35, 90), (255, 230, 120)),
]
NEGATIVE_LINES = [
    "$ pip install huaweicloudsdkmoderation==3.1.86",
    "Successfully installed huaweicloudsdkcore-3.1.86 huaweicloudsdkmoderation-3.1.86",
    "ModelArts training job 4101 finished in 00:12:31",
    "AIS SDK v3.0.1 ready, endpoint moderation.cn-north-4.myhuaweicloud.com",
    "APIG gateway: HTTP/1.1 200 OK",
    "flavor: ecs.s6.large.2  image: Ubuntu 22.04",
    "status_code: 200, request_id: 5d1f0e2c-9a1b",
    '{"result": {"suggestion": "pass", "category_suggestions": {"porn": "pass"}}}',
    "2026-11-20 01:12:45,004 INFO  job 7781 done (AIS.moderation.image)",
    "内容审核成功，结果：通过",
    "请求成功，耗时 231 ms",
    "version 4.0.1 build 2026.11.20",
    "ssh ops@10.12.0.5 -p 2222",
    "Processing 1024/2048 images (50.0%)",
    "ModelArts.notebook started on node 3",
    "OBS bucket hw-logs-01 synced: 12.4 GB",
    "Error: ENOENT: no such file or directory, open 'config.yaml'",
    "| AIS | 2026-11 | 12,403 calls | 0 errors |",
    "CPU 43.2%  MEM 61.0%  DISK 12.5%",
]


def fonts() -> tuple[list[str], str | None]:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    cjk = next((f for f in CJK_FONTS if Path(f).exists()), None)
    return [str(ttf / name) for name in MPL_FONTS], cjk


def draw(
    lines: list[str], font: str, size: int, theme: tuple[tuple[int, ...], tuple[int, ...]], cjk: str | None
) -> Image.Image:
    latin = ImageFont.truetype(font, size)
    wide = ImageFont.truetype(cjk, size) if cjk else latin

    def face(line: str) -> ImageFont.FreeTypeFont:
        return wide if any(ord(c) > 0x2E80 for c in line) else latin

    step, (background, ink) = int(size * 1.45), theme
    width = max(int(face(line).getlength(line)) for line in lines) + 2 * size
    image = Image.new("RGB", (width, step * len(lines) + 2 * size), background)
    pen = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        pen.text((size, size + n * step), line, font=face(line), fill=ink)
    return image


def error_screen(rng: random.Random, code: str, layouts: list[str]) -> list[str]:
    rid = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}"
    day, job = f"2026-11-{rng.randint(10, 28)}", rng.randint(1000, 9999)
    invalid = "The request is invalid."
    kind = rng.choice(layouts)
    if kind == "http":
        return [
            "HTTP/1.1 400 Bad Request",
            "Content-Type: application/json",
            "",
            "{",
            f'  "error_code": "{code}",',
            f'  "error_msg": "{invalid}",',
            f'  "request_id": "{rid}"',
            "}",
        ]
    if kind == "sdk":
        return [
            "Traceback (most recent call last):",
            '  File "/opt/job/run.py", line 42, in <module>',
            "    resp = client.run_image_moderation(req)",
            "huaweicloudsdkcore.exceptions.exceptions.ClientRequestException: {status_code:400, "
            f"request_id:{rid}, error_code:{code}, error_msg:{invalid}}}",
        ]
    if kind == "log":
        return [
            f"{day} 01:12:44,219 INFO  worker-{rng.randint(1, 9)} picked job {job}",
            f'{day} 01:12:45,003 ERROR moderation failed code={code} msg="{invalid}"',
            f"{day} 01:12:45,004 WARN  retrying in 5s",
        ]
    if kind == "wrap":
        body = (
            f'ERROR: call failed with {{"error_code":"{code}","error_msg":"{invalid}","request_id":"{rid}"}}'
        )
        cut = rng.randint(30, 60)
        return ["$ ./moderate.sh sample.jpg", *(body[i : i + cut] for i in range(0, len(body), cut)), "$ "]
    if kind == "dialog":
        return [
            "Request failed",
            "",
            f"Error code: {code}",
            f"{invalid} Check the parameters",
            "and try again.",
        ]
    return ["请求失败，请稍后重试", f"错误码：{code}", f"错误信息：{invalid}", f"请求ID：{rid}"]


def encoded(image: Image.Image, rng: random.Random) -> bytes:
    out = io.BytesIO()
    if rng.random() < 1 / 3:
        image.save(out, "JPEG", quality=rng.randint(60, 90))
    else:
        image.save(out, "PNG")
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--images", type=int, default=60)
    ap.add_argument("--negatives", type=int, default=40)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    matcher = Matcher(bundled_entries())
    spelling = {e.code.upper(): e.code for e in bundled_entries()}
    codes = sorted(c for c in spelling if "." in c)
    latin, cjk = fonts()
    layouts = ["http", "sdk", "log", "wrap", "dialog"] + (["chinese"] if cjk else [])
    rng = random.Random(args.seed)
    right = wrong = replies = 0
    times: list[float] = []

    def read(data: bytes) -> list[str | None]:
        started = time.perf_counter()
        text = read_text(data, matcher.codes)
        times.append(time.perf_counter() - started)
        findings = read_clearly(matcher.match(text.text), matcher.match(text.clear))
        return [f.code.upper() if f.confident else None for f in findings]

    for n in range(args.images):
        code = spelling[rng.choice(codes)]
        font, size, theme = rng.choice(latin), rng.randint(12, 26), rng.choice(THEMES)
        found = read(encoded(draw(error_screen(rng, code, layouts), font, size, theme, cjk), rng))
        confident = [c for c in found if c]
        right += confident == [code.upper()]
        wrong += any(c != code.upper() for c in confident)
        if confident != [code.upper()] and args.show_misses:
            print(f"MISS {n}: {code} in {Path(font).name} {size}px on {theme[0]}: confident {confident}")
    for n in range(args.negatives):
        lines = rng.sample([line for line in NEGATIVE_LINES if cjk or line.isascii()], rng.randint(3, 7))
        font, size, theme = rng.choice(latin), rng.randint(12, 24), rng.choice(THEMES)
        found = read(encoded(draw(lines, font, size, theme, cjk), rng))
        replies += bool(found)
        if found and args.show_misses:
            print(f"REPLY {n}: {found} in {Path(font).name} {size}px")
    print(f"layouts: {', '.join(layouts)}{'' if cjk else ' (no CJK font installed: no Chinese layout)'}")
    print(f"fully right: {right}/{args.images} = {right / max(1, args.images):.1%}")
    print(f"wrong confident codes: {wrong}")
    print(f"replies to images without an error: {replies}/{args.negatives}")
    print(f"time per image: median {statistics.median(times):.2f} s over {len(times)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
