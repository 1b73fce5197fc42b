"""Image bytes → the text on them, in a bounded pool of worker threads.

The engine is loaded once per process on the first image (lazily: a bot that never sees one never
pays for it). At most `workers` images are read at once and `workers * QUEUE_PER_WORKER` wait;
beyond that an image is refused as BUSY rather than queued without end. A caller waits at most
`timeout` seconds, then gets TIMEOUT; the work itself is bounded (images are scaled to
decode.WORK_PIXELS, close-ups are capped), so a worker always comes back.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.ocr import engine
from bot.core.ocr.closeup import look_closer
from bot.core.ocr.decode import DEFAULT_MAX_BYTES, decode
from bot.core.ocr.fix import fix_codes, known_code, respace
from bot.core.ocr.layout import reading_order
from bot.core.ocr.problems import ImageProblem, ImageRefused, OcrSwitch
from knowledge.matching.codes import CodeIndex

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger("hwerror.ocr")

QUEUE_PER_WORKER = 4
# OCR drops spaces ("prod password=…" read as "prodpassword=…"), which would hide a secret's name
# from redaction (its names must start a word): a space is put back before such a name.
_GLUED_SECRET = re.compile(
    r"(?<=[A-Za-z0-9])(?=(?:password|passwd|passphrase|secret|token|api_?key|access_?key|secret_?key)"
    r"[\"']?\s{0,3}[:=])",
    re.IGNORECASE,
)
_CODE_SPACES = re.compile(r"(?<![\w.])([A-Za-z][A-Za-z0-9]{1,24}) ?\. ?([0-9]{3,12})(?!\w)")


@dataclass(frozen=True)
class ImageText:
    """What an image says. `text` is every row in reading order, codes mended (what is matched);
    `clear` holds only the rows read clearly, as read: a code is confident only if it is there."""

    text: str
    clear: str
    mended: tuple[str, ...] = ()  # codes whose reading needed mending (AIS.O005 → AIS.0005)


def read_text(
    data: bytes, codes: CodeIndex, *, max_bytes: int = DEFAULT_MAX_BYTES, threads: int = 0
) -> ImageText:
    """The whole reading, in the calling thread (the pool's workers run this)."""
    image = decode(data, max_bytes)
    try:
        lines = [replace(line, text=respace(line.text, codes)) for line in engine.read_lines(image, threads)]
        seen = look_closer(image, lines, codes, threads)
    except ImageRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - an engine error is one image's problem, not the bot's
        log.warning("OCR failed: %s", type(exc).__name__)
        raise ImageRefused(ImageProblem.FAILED) from None
    finally:
        engine.release_memory()
    rows = reading_order([line for line, _ in seen], [clear for _, clear in seen], known_code(codes))
    rows = [replace(r, text=_GLUED_SECRET.sub(" ", r.text)) for r in rows]
    text, mended = fix_codes("\n".join(r.text for r in rows), codes)
    # The clear rows as read, but for spaces OCR puts beside a code's dot (`ModelArts .4101`) and
    # the slips only a digit explains (`Mode1Arts`, `AIS.0O27`): read surely, those are no doubt.
    clear, _ = fix_codes("\n".join(r.text for r in rows if r.clear), codes, sure=True)
    clear = _CODE_SPACES.sub(r"\1.\2", clear)
    return ImageText(text=text, clear=clear, mended=tuple(mended))


class ImageReader:
    """The process's screenshot reader: on or off, its pool, its limits."""

    def __init__(
        self,
        codes: Callable[[], CodeIndex],
        *,
        enabled: bool = True,
        workers: int = 1,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = 30.0,
    ) -> None:
        self._codes = codes
        self.enabled = enabled
        self.workers = max(1, workers)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.workers * (1 + QUEUE_PER_WORKER))

    def problem(self) -> ImageProblem | None:
        """Why no image can be read here at all (off, or the engine missing), or None."""
        if not self.enabled:
            return ImageProblem.OFF
        if not engine.available():
            return ImageProblem.MISSING
        return None

    def read(self, data: bytes) -> ImageText:
        """The text on one image; raises ImageRefused with the reason when it cannot be read."""
        problem = self.problem()
        if problem is None and len(data) > self.max_bytes:
            problem = ImageProblem.TOO_LARGE
        if problem is not None:
            raise ImageRefused(problem)
        if not self._slots.acquire(blocking=False):
            raise ImageRefused(ImageProblem.BUSY)
        try:
            future = self._executor().submit(
                read_text,
                data,
                self._codes(),
                max_bytes=self.max_bytes,
                threads=engine.threads_per_worker(self.workers),
            )
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._release)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            log.warning("image not read within %.0f s", self.timeout)
            raise ImageRefused(ImageProblem.TIMEOUT) from None

    def _release(self, _: Future[ImageText]) -> None:
        self._slots.release()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="hwerror-ocr")
            return self._pool


def reader_from_settings(settings: Settings, codes: Callable[[], CodeIndex]) -> ImageReader:
    return ImageReader(
        codes,
        enabled=settings.hwerror_ocr == OcrSwitch.ON,
        workers=settings.hwerror_ocr_workers,
        max_bytes=settings.hwerror_ocr_max_bytes,
        timeout=settings.hwerror_ocr_timeout,
    )
