"""From untrusted bytes to a bounded RGB image, or an `ImageRefused` with its typed reason.

Everything is checked before the pixels are decoded: the size in bytes, what the bytes are (a PDF,
an SVG, a text file named `.png`), and the dimensions in the header, so a decompression bomb (a
20,000 × 20,000 PNG of a few hundred kilobytes) is refused without allocating it. Animated GIFs
and WebPs give their first frame; transparent screenshots are laid on white, so dark text on a
transparent background stays readable; phone photos are turned upright by their EXIF tag.
Large images are scaled down to `WORK_PIXELS`, which bounds the OCR's time and memory.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.core.ocr.problems import ImageProblem, ImageRefused

DEFAULT_MAX_BYTES = 10_000_000
# Larger than any screen capture (a 6K display is 20 Mpx); a bomb is far beyond it.
MAX_PIXELS = 40_000_000
# Pillow's own guard, which every Image.open in the process obeys, is set to ours: it warns at
# this many pixels and refuses at twice as many, even where a caller forgets to check.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# What the OCR works on: a 2560 × 1600 retina capture as it is, anything larger scaled down.
WORK_PIXELS = 2560 * 1600
FORMATS = frozenset({"PNG", "JPEG", "MPO", "WEBP", "GIF", "BMP", "HEIF"})

_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")

_heif_checked = False


def _register_heif() -> bool:
    """HEIC (iPhone photos) through pillow-heif, when the `ocr` extra installed it."""
    global _heif_checked
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    if not _heif_checked:
        register_heif_opener()
        _heif_checked = True
    return True


def sniff(data: bytes) -> ImageProblem | None:
    """What the first bytes say, before any decoder runs."""
    head = data[:64].lstrip()
    if head.startswith(b"%PDF"):
        return ImageProblem.PDF
    if head[:5].lower() in (b"<?xml", b"<svg ") or head[:4].lower() == b"<svg":
        return ImageProblem.UNSUPPORTED
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif") and not _register_heif():
        return ImageProblem.UNSUPPORTED
    return None


def decode(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Image.Image:
    """The image in `data` as RGB, at most WORK_PIXELS; raises ImageRefused."""
    if not data:
        raise ImageRefused(ImageProblem.EMPTY)
    if len(data) > max_bytes:
        raise ImageRefused(ImageProblem.TOO_LARGE)
    problem = sniff(data)
    if problem is not None:
        raise ImageRefused(problem)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ImageRefused(ImageProblem.UNSUPPORTED)
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise ImageRefused(ImageProblem.TOO_MANY_PIXELS)
            if image.format == "JPEG":
                image.draft("RGB", _target(width, height))  # decode at the size we need, cheaply
            image.load()  # the first frame only, for animations
            return _upright_rgb(image)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused(ImageProblem.TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            # An image's signature that no decoder accepts is a damaged image, not another kind of file.
            problem = ImageProblem.CORRUPT if _signed(data) else ImageProblem.NOT_AN_IMAGE
            raise ImageRefused(problem) from None
        except (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError):
            # Pillow's decoders say "truncated", "broken data stream", "not a PNG file", …
            raise ImageRefused(ImageProblem.CORRUPT) from None


def _signed(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _target(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, (WORK_PIXELS / (width * height)) ** 0.5)
    return max(1, int(width * scale)), max(1, int(height * scale))


def _upright_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    image = image.convert("RGB")
    size = _target(*image.size)
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image
