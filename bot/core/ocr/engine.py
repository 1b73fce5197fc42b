"""The OCR engine: RapidOCR's PP-OCRv4 models (Chinese and English) on ONNX Runtime, on the CPU.

The models ship inside the rapidocr-onnxruntime wheel and are loaded from site-packages, once per
process, on first use (the import alone costs ~0.5 s and the models ~130 MB). Nothing is
downloaded. The engine is shared by the reader's worker threads: ONNX Runtime sessions may run
concurrently, and the engine is only ever called with its construction-time settings.

Settings, and why: no angle classifier (screenshots are upright, and the classifier turns long
lines of code upside down); the detector sees the image at its own size up to 2000 px (the
default scales up by the short side, which is slow on wide strips and merges letters).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image

from bot.core.ocr.problems import ImageProblem, ImageRefused

MIN_SCORE = 0.5  # lines read less surely than this are noise (borders, icons)


@dataclass(frozen=True)
class OcrLine:
    """One detected line of text: what was read, how surely (0..1), and where (x0, y0, x1, y1)."""

    text: str
    score: float
    box: tuple[float, float, float, float]

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
            _engines[threads] = engine
        return engine


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


def read_crop(image: Image.Image, box: tuple[float, float, float, float], threads: int = 0) -> OcrLine:
    """The recogniser alone on one small part of the image (a code, seen close up)."""
    import numpy as np

    engine = _engine(threads or threads_per_worker(1))
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"))[:, :, ::-1]  # BGR, as the models expect
    (text, score), *_ = engine.text_rec([np.ascontiguousarray(crop)])[0]
    return OcrLine(str(text), float(score), (x0, y0, x1, y1))
