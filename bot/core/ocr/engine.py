"""The OCR engine: RapidOCR's PP-OCRv4 models (Chinese and English), on the CPU.

The models ship inside the rapidocr-onnxruntime wheel and are loaded from site-packages, once per
process, on first use (~1 s). Nothing is downloaded. The engine is shared by the reader's worker
threads: its sessions may run concurrently, and it is only ever called with its construction-time
settings.

Settings, and why: no angle classifier (screenshots are upright, and the classifier turns long
lines of code upside down); the detector sees the image at its own size up to 2000 px (the
default scales up by the short side, which is slow on wide strips and merges letters).

Recognition is where the time goes (a full terminal is ~40 lines of ~160 characters), so lines
are read by `LineReader`, not RapidOCR's own loop: one line per model run (RapidOCR batches 6
lines padded to the widest, which on two cores took twice as long per line), on as many threads
as the worker has cores. The first reading of every line runs on OpenVINO (`network`, 2.4×
faster); the detector and the close-ups run on ONNX Runtime in float32, each close-up on one
thread. Every ONNX Runtime session's threads sleep when idle. The numbers are in
bench/results/ocr.md.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PIL import Image

from bot.core.ocr.network import compiled
from bot.core.ocr.problems import ImageProblem, ImageRefused

MIN_SCORE = 0.5  # lines read less surely than this are noise (borders, icons)
REC_HEIGHT, REC_MIN_WIDTH = 48, 320  # the PP-OCRv4 recogniser's input shape (RapidOCR's rec_img_shape)
REC_BUCKET = 256  # first-reading widths are multiples of this (see LineReader.read)


@dataclass(frozen=True)
class OcrLine:
    """One detected line of text: what was read, how surely (0..1), and where (x0, y0, x1, y1)."""

    text: str
    score: float
    box: tuple[float, float, float, float]
    confidences: tuple[float, ...] = ()  # per character of `text`, where the reading gave them

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


_lock = threading.Lock()
_engines: dict[int, Any] = {}


def available() -> bool:
    """The `ocr` extra is installed (checked without importing the engine)."""
    from importlib.util import find_spec

    return find_spec("rapidocr_onnxruntime") is not None


def threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _engine(threads: int) -> Any:
    with _lock:
        engine = _engines.get(threads)
        if engine is None:
            try:
                import numpy as np
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise ImageRefused(ImageProblem.MISSING) from None
            engine = RapidOCR(
                use_cls=False,
                det_limit_type="max",
                det_limit_side_len=2000,
                text_score=MIN_SCORE,
                intra_op_num_threads=threads,
                inter_op_num_threads=1,
            )
            engine.text_det.infer.session = _session(engine.text_det.infer.session, threads)
            exact = engine.text_rec.session
            exact.session = _session(exact.session, 1)
            sample = np.zeros((1, 3, REC_HEIGHT, REC_MIN_WIDTH), dtype=np.float32)
            fast = compiled(exact.session._model_path, sample) or exact
            engine.text_rec = LineReader(engine.text_rec, threads, fast)
            _engines[threads] = engine
        return engine


def _session(loaded: Any, threads: int) -> Any:
    """The same model in a session whose threads sleep when idle. ONNX Runtime's workers spin
    between operators by default; on a shared two-core machine a spinning thread takes the CPU
    from the thread with work (measured: a quarter to a third slower under load)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.enable_cpu_mem_arena = False  # as RapidOCR has it: memory goes back after each image
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 4
    return ort.InferenceSession(loaded._model_path, options, providers=["CPUExecutionProvider"])


class LineReader:
    """RapidOCR's recogniser, one line per model run, lines on `threads` threads (see above).
    It keeps RapidOCR's calling convention, so the engine's own pipeline uses it."""

    def __init__(self, recogniser: Any, threads: int, fast: Callable[[Any], list[Any]]) -> None:
        self._fast = fast
        self._exact = recogniser.session
        self._decode = recogniser.postprocess_op
        self._threads = threads
        self._alike: dict[Callable[[str], str], Any] = {}

    def __call__(self, crops: list[Any], _word_boxes: bool = False) -> tuple[list[tuple[str, float]], float]:
        started = time.perf_counter()
        if self._threads == 1 or len(crops) < 2:
            return [self.read(crop) for crop in crops], time.perf_counter() - started
        with ThreadPoolExecutor(self._threads, thread_name_prefix="hwerror-ocr-line") as lines:
            return list(lines.map(self.read, crops)), time.perf_counter() - started

    def read(self, crop: Any, exact: bool = False) -> tuple[str, float]:
        """One line, or with `exact` a close-up: its text and how surely it was read."""
        text, score = self._decode(self._run(crop, exact))[0][:2]
        return str(text), float(score)

    def characters(self, crop: Any, alike: Callable[[str], str] = str) -> tuple[str, tuple[float, ...]]:
        """A close-up, read exactly: its text and how surely each of its characters was read, up to
        `alike` (the model torn between `I` and `l` in a sans font is sure of the shape, and a
        code's own characters are what count, not the punctuation the crop takes in beside it)."""
        scores = self._run(crop, exact=True)[0]
        best = scores.argmax(axis=1)
        kept = best != 0  # CTC: not a blank, and not the same class again in the next step
        kept[1:] &= best[1:] != best[:-1]
        text = "".join(self._decode.character[int(i)] for i in best[kept])
        groups = self._groups(alike)
        same = groups[None, :] == groups[best[kept]][:, None]
        return text, tuple(float(p) for p in (scores[kept] * same).sum(axis=1))

    def _groups(self, alike: Callable[[str], str]) -> Any:
        """For each of the model's classes, the index of its look-alike group under `alike`."""
        import numpy as np

        cached = self._alike.get(alike)
        if cached is None:
            names: dict[str, int] = {}
            cached = np.array([names.setdefault(alike(c), len(names)) for c in self._decode.character])
            self._alike[alike] = cached
        return cached

    def _run(self, crop: Any, exact: bool) -> Any:
        import cv2
        import numpy as np

        height, width = crop.shape[:2]
        # Lines are not narrowed to save time: at 3/4 of their width a repeated digit is lost
        # (`AIS.0005` read `AIs.005`), and codes are where repeated digits are.
        wide = max(1, math.ceil(REC_HEIGHT * width / max(1, height)))
        pixels = cv2.resize(crop, (wide, REC_HEIGHT)).astype(np.float32)
        # As PaddleOCR feeds it: scaled to -1..1, and a short crop padded with 0 to the model's
        # 320-px training width (unpadded, a short code close up is read less surely).
        # The first reading's widths are rounded up: OpenVINO keeps buffers and kernels per input
        # shape, and every width its own grew the process by ~500 MB over a hundred widths.
        padded = max(wide if exact else -(-wide // REC_BUCKET) * REC_BUCKET, REC_MIN_WIDTH)
        batch = np.zeros((1, 3, REC_HEIGHT, padded), dtype=np.float32)
        batch[0, :, :, :wide] = (pixels.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
        return (self._exact if exact else self._fast)(batch)[0]


def release_memory() -> None:
    """Give the memory of an image's tensors back to the system. ONNX Runtime frees it after each
    run, but glibc keeps freed blocks in its per-thread arenas: without this, the process stays
    ~300 MB larger after the first screenshot (measured in bench/results/ocr.md)."""
    import ctypes

    with contextlib.suppress(AttributeError, OSError):  # not glibc (musl, macOS): nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def read_lines(image: Image.Image, threads: int = 0) -> list[OcrLine]:
    """Every line the engine reads in `image`, in the engine's order (top to bottom, roughly)."""
    engine = _engine(threads or threads_per_worker(1))
    result, _ = engine(image)
    lines = []
    for box, text, score in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        if str(text).strip():
            lines.append(OcrLine(str(text), float(score), (min(xs), min(ys), max(xs), max(ys))))
    return lines


def read_crop(
    image: Image.Image,
    box: tuple[float, float, float, float],
    threads: int = 0,
    alike: Callable[[str], str] = str,
) -> OcrLine:
    """The recogniser alone on one small part of the image (a code, seen close up); how surely
    each character was read counts the characters that are the same under `alike` as one."""
    import numpy as np

    engine = _engine(threads or threads_per_worker(1))
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"))[:, :, ::-1]  # BGR, as the models expect
    text, confidences = engine.text_rec.characters(np.ascontiguousarray(crop), alike)
    score = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrLine(text, score, (x0, y0, x1, y1), confidences)
