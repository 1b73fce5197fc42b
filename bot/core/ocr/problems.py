"""Why an image was not read: one short reason per kind of bad input, for the log and the user."""

from __future__ import annotations

from enum import StrEnum

from bot.core.errors import UserError


class OcrSwitch(StrEnum):
    """HWERROR_OCR: whether screenshots are read at all."""

    ON = "on"
    OFF = "off"


class ImageProblem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too-large"  # more bytes than HWERROR_OCR_MAX_BYTES
    TOO_MANY_PIXELS = "too-many-pixels"  # a decompression bomb, or a picture far larger than a screen
    PDF = "pdf"
    NOT_AN_IMAGE = "not-an-image"
    UNSUPPORTED = "unsupported"  # an image, in a format we do not read (SVG, TIFF, HEIC without pillow-heif)
    CORRUPT = "corrupt"  # broken or truncated data
    TIMEOUT = "timeout"
    BUSY = "busy"  # every worker busy and the queue full
    OFF = "off"  # HWERROR_OCR=off
    MISSING = "missing"  # the `ocr` extra is not installed
    FAILED = "failed"  # the OCR engine raised

    @property
    def reason(self) -> str:
        return _REASONS[self]


_REASONS = {
    ImageProblem.EMPTY: "the file is empty",
    ImageProblem.TOO_LARGE: "the file is larger than the limit (HWERROR_OCR_MAX_BYTES)",
    ImageProblem.TOO_MANY_PIXELS: "the image has too many pixels to be a screenshot",
    ImageProblem.PDF: "it is a PDF, not an image: paste a screenshot or the text",
    ImageProblem.NOT_AN_IMAGE: "the file is not an image",
    ImageProblem.UNSUPPORTED: "the image format is not one I read (PNG, JPEG, WebP, GIF, HEIC)",
    ImageProblem.CORRUPT: "the image is damaged or cut off",
    ImageProblem.TIMEOUT: "reading the image took too long",
    ImageProblem.BUSY: "too many images are being read right now: try again in a minute",
    ImageProblem.OFF: "reading screenshots is turned off here (HWERROR_OCR=off)",
    ImageProblem.MISSING: (
        "reading screenshots needs the OCR engine, which is not installed: pip install 'hwerror[ocr]'"
    ),
    ImageProblem.FAILED: "the OCR engine could not read the image",
}


class ImageRefused(UserError):
    """An image that was not read; its message is the reason, written for the person who sent it."""

    def __init__(self, problem: ImageProblem) -> None:
        super().__init__(f"I could not read that image: {problem.reason}.")
        self.problem = problem
