"""Screenshot reading speed and memory: p50/p95 per image for a 1280×800 terminal screenshot and a
2560×1600 retina one, the process's RSS before and after the models load, and throughput with
the pool saturated.

    .venv/bin/python bench/ocr.py [--runs 5] [--workers 1,2]

The screenshots are drawn here (DejaVu Sans Mono from matplotlib): a full terminal of a
traceback ending in a Huawei Cloud error, at 1x and at 2x.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.ocr import engine  # noqa: E402
from bot.core.ocr.reader import ImageReader  # noqa: E402
from knowledge.matching.entries import bundled_entries  # noqa: E402
from knowledge.matching.matcher import Matcher  # noqa: E402
from testing.images import screenshot  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def terminal(scale: int) -> bytes:
    lines = [
        f'  File "/srv/app/.venv/lib/python3.11/site-packages/huaweicloudsdkcore/client.py", line {400 + i}'
        for i in range(36)
    ]
    lines += [
        "huaweicloudsdkcore.exceptions.ClientRequestException: {status_code:400,request_id:5d1f0e2c,",
        "error_code:AIS.0027,error_msg:The account has been frozen.}",
        "ops@hw-jump-01:~$",
    ]
    return screenshot(lines, size=13 * scale, width=1280 * scale)


def timed(reader: ImageReader, data: bytes, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        reader.read(data)
        out.append(time.perf_counter() - t)
    return out


def baseline(reader: ImageReader, data: bytes, runs: int) -> None:
    """The same image with the first reading of lines on ONNX Runtime (as before OpenVINO) and on
    OpenVINO, alternating in this process: medians and their ratio."""
    lines = engine._engine(engine.threads_per_worker(1)).text_rec
    fast = lines._fast
    times: dict[str, list[float]] = {"ONNX Runtime": [], "OpenVINO": []}
    try:
        for _ in range(runs):
            for name, network in (("ONNX Runtime", lines._exact), ("OpenVINO", fast)):
                lines._fast = network  # a harness's swap: the close-ups' session reads the lines
                times[name] += timed(reader, data, 1)
    finally:
        lines._fast = fast
    before, after = (statistics.median(times[name]) for name in ("ONNX Runtime", "OpenVINO"))
    print(
        f"1280x800 terminal, first reading on ONNX Runtime p50 {before:.2f} s, on OpenVINO p50"
        f" {after:.2f} s ({before / after:.2f}x), alternating, {runs} runs each"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    matcher = Matcher(bundled_entries())
    images = {"1280x800 terminal": terminal(1), "2560x1600 retina": terminal(2)}
    before = rss_mb()
    first = ImageReader(lambda: matcher.codes, workers=1, timeout=600)
    t = time.perf_counter()
    first.read(images["1280x800 terminal"])
    print(
        f"RSS before the models load: {before:.0f} MB; after the first image: {rss_mb():.0f} MB "
        f"(+{rss_mb() - before:.0f} MB); first image (with model load): {time.perf_counter() - t:.2f} s"
    )
    for name, data in images.items():
        times = sorted(timed(first, data, args.runs))
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{name}: p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s over {args.runs} runs")
    print(
        f"RSS after those runs: {rss_mb():.0f} MB (+{rss_mb() - before:.0f} MB); peak while reading"
        f" one image at a time: {peak_mb():.0f} MB (+{peak_mb() - before:.0f} MB)"
    )
    baseline(first, images["1280x800 terminal"], args.runs)
    for workers in map(int, args.workers.split(",")):
        reader = ImageReader(lambda: matcher.codes, workers=workers, timeout=600)
        jobs = [images["1280x800 terminal"]] * (4 * workers)
        t = time.perf_counter()
        with ThreadPoolExecutor(len(jobs)) as callers:  # more callers than workers: the pool is saturated
            list(callers.map(reader.read, jobs))
        wall = time.perf_counter() - t
        print(
            f"saturated pool, {workers} worker(s): {len(jobs)} images in {wall:.1f} s"
            f" = {len(jobs) / wall:.2f} images/s"
        )
    print(f"peak RSS, both pools included (each worker count loads its own engine): {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
