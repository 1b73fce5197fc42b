"""Screenshots in a Slack message: which files are images, and the text read off them.

Files are read like cut-off snippets (bot.slack.files): from Slack's file hosts (or the configured
API host) only, with the bot token (`files:read`), in bounded time and size. A file larger than
HWERROR_OCR_MAX_BYTES is refused by its declared size before any download, and again if the
download runs past it. The bytes go to the reader and are dropped: nothing of an image is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk import WebClient

from bot.core.incidents.enums import Source
from bot.core.incidents.record import Sighting
from bot.core.ocr.decode import DEFAULT_MAX_BYTES
from bot.core.ocr.problems import ImageProblem, ImageRefused
from bot.core.ocr.reader import ImageText
from bot.slack.files import fetch, trusted

log = logging.getLogger("hwerror.slack.images")

MAX_IMAGES = 4  # per message: each costs seconds of OCR
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "heic", "heif", "bmp"})
DOWNLOAD_TIMEOUT = 15.0

Read = Callable[[bytes], ImageText]


@dataclass(frozen=True)
class ImageRead:
    """One file of the message: its text, or why it was not read."""

    file_id: str
    text: ImageText | None = None
    problem: ImageProblem | None = None


def image_files(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The message's image files (and PDFs, which are refused with their reason), at most MAX_IMAGES."""
    files = message.get("files")
    if not isinstance(files, list):
        return []
    return [f for f in files if isinstance(f, dict) and (_is_image(f) or _is_pdf(f))][:MAX_IMAGES]


def _is_image(f: dict[str, Any]) -> bool:
    return str(f.get("mimetype") or "").startswith("image/") or f.get("filetype") in IMAGE_TYPES


def _is_pdf(f: dict[str, Any]) -> bool:
    return f.get("filetype") == "pdf" or f.get("mimetype") == "application/pdf"


def image_texts(
    message: dict[str, Any], client: WebClient, read: Read, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ImageRead]:
    """Each image file of the message, read (OCR in the reader's pool) or refused with a reason."""
    out = []
    for f in image_files(message):
        file_id = str(f.get("id") or "?")
        problem = _refused_before_download(f, client, max_bytes)
        if problem is None:
            data = fetch(
                str(f.get("url_private_download") or f.get("url_private")),
                client.token,
                max_bytes,
                DOWNLOAD_TIMEOUT,
            )
            if data is None:
                problem = ImageProblem.FAILED
            elif len(data) > max_bytes:
                problem = ImageProblem.TOO_LARGE
            else:
                try:
                    out.append(ImageRead(file_id, text=read(data)))
                    continue
                except ImageRefused as exc:
                    problem = exc.problem
        log.info("image %s not read: %s", file_id, problem.reason)
        out.append(ImageRead(file_id, problem=problem))
    return out


def _refused_before_download(f: dict[str, Any], client: WebClient, max_bytes: int) -> ImageProblem | None:
    if _is_pdf(f):
        return ImageProblem.PDF
    size = f.get("size")
    if isinstance(size, int) and size > max_bytes:
        return ImageProblem.TOO_LARGE
    if not trusted(f.get("url_private_download") or f.get("url_private"), client.base_url):
        log.warning("image %s not read: its URL is not a Slack file host", f.get("id"))
        return ImageProblem.FAILED
    return None


def with_images(text: str, reads: Sequence[ImageRead]) -> tuple[str, str | None]:
    """The message's own text with what its images say, and the part that is clear (the typed
    text and the images' clear rows); `None` as the clear part when no image was read."""
    texts = [r.text for r in reads if r.text is not None]
    if not texts:
        return text, None
    return "\n".join([text, *(t.text for t in texts)]), "\n".join([text, *(t.clear for t in texts)])


def from_image(where: Sighting | None) -> Sighting | None:
    """The incident records that its text came off a screenshot."""
    return None if where is None else replace(where, source=Source.IMAGE)


def nothing_read(reads: Sequence[ImageRead]) -> str:
    """For the person who asked: why images of the message were not read (empty when all were)."""
    reasons = dict.fromkeys(r.problem.reason for r in reads if r.problem is not None)
    return "".join(f" I could not read an image: {reason}." for reason in reasons)
