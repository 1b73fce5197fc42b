"""Bad input never crashes a reader or keeps a worker: each gets its typed reason (no OCR runs)."""

from __future__ import annotations

import pytest
from PIL import Image

from bot.core.ocr.decode import MAX_PIXELS, WORK_PIXELS, decode
from bot.core.ocr.problems import ImageProblem, ImageRefused
from bot.core.ocr.reader import ImageReader
from knowledge.matching.codes import CodeIndex
from testing.images import animated_gif, encode, png_header_only, screenshot

PNG = screenshot(["error_code: AIS.0005"])


def refused(data: bytes, **kw: int) -> ImageProblem:
    with pytest.raises(ImageRefused) as caught:
        decode(data, **kw)
    return caught.value.problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", ImageProblem.EMPTY),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", ImageProblem.PDF),
        (b"Traceback (most recent call last):\n  error_code AIS.0005\n", ImageProblem.NOT_AN_IMAGE),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><text>AIS.0005</text></svg>', ImageProblem.UNSUPPORTED),
        (PNG[: len(PNG) // 2], ImageProblem.CORRUPT),  # truncated in the middle of its pixels
        (PNG[:8] + b"\0" * 200, ImageProblem.CORRUPT),  # a PNG signature and garbage
        (png_header_only(20_000, 20_000), ImageProblem.TOO_MANY_PIXELS),  # a bomb: refused by its header
        (encode(Image.new("RGB", (8, 8)), "TIFF"), ImageProblem.UNSUPPORTED),
    ],
    ids=["empty", "pdf", "text-named-png", "svg", "truncated", "garbage", "bomb", "tiff"],
)
def test_each_bad_input_gets_its_reason(data: bytes, problem: ImageProblem) -> None:
    assert refused(data) is problem
    assert problem.reason  # a short reason for the log and the person


def test_a_file_over_the_size_cap_is_refused_before_decoding() -> None:
    fifty_mb = PNG + b"\0" * 50_000_000
    assert refused(fifty_mb) is ImageProblem.TOO_LARGE
    assert refused(PNG, max_bytes=len(PNG) - 1) is ImageProblem.TOO_LARGE


def test_pillows_own_bomb_guard_is_ours() -> None:
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS


def test_an_animated_gif_gives_its_first_frame() -> None:
    image = decode(animated_gif([(255, 0, 0), (0, 0, 255), (0, 255, 0)]))
    assert image.mode == "RGB" and image.getpixel((5, 5)) == (255, 0, 0)


def test_webp_and_jpeg_are_read() -> None:
    source = Image.new("RGB", (64, 32), (250, 250, 250))
    for fmt in ("WEBP", "JPEG"):
        assert decode(encode(source, fmt)).size == (64, 32)


def test_heic_is_read_through_pillow_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = encode(Image.new("RGB", (64, 48), (10, 200, 10)), "HEIF")
    assert heic[4:12] in (b"ftypheic", b"ftypmif1", b"ftypheix")
    image = decode(heic)
    pixel = image.getpixel((3, 3))
    assert image.size == (64, 48) and isinstance(pixel, tuple) and pixel[1] > 150


def test_a_transparent_screenshot_is_laid_on_white() -> None:
    clear = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    assert decode(encode(clear)).getpixel((1, 1)) == (255, 255, 255)


def test_a_large_capture_is_scaled_down_to_the_working_size() -> None:
    big = decode(encode(Image.new("RGB", (5120, 2880), (255, 255, 255))))
    assert big.width * big.height <= WORK_PIXELS and big.width / big.height == pytest.approx(16 / 9, rel=0.01)
    assert decode(encode(Image.new("RGB", (2560, 1600)))).size == (2560, 1600)


def reader(**kw: object) -> ImageReader:
    return ImageReader(lambda: CodeIndex(["AIS.0005"]), **kw)  # type: ignore[arg-type]


def test_hwerror_ocr_off_reads_nothing() -> None:
    with pytest.raises(ImageRefused) as caught:
        reader(enabled=False).read(PNG)
    assert caught.value.problem is ImageProblem.OFF
    assert "HWERROR_OCR=off" in str(caught.value)


def test_bad_input_comes_back_from_the_pool_as_its_reason() -> None:
    pool = reader(workers=1)
    for data, problem in [(b"%PDF-1.4", ImageProblem.PDF), (PNG[:40], ImageProblem.CORRUPT)]:
        with pytest.raises(ImageRefused) as caught:
            pool.read(data)
        assert caught.value.problem is problem
    with pytest.raises(ImageRefused) as caught:
        reader(max_bytes=1024).read(PNG + b"\0" * 2000)
    assert caught.value.problem is ImageProblem.TOO_LARGE


def test_a_bad_setting_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    monkeypatch.setenv("HWERROR_OCR", "sometimes")
    with pytest.raises(ValidationError, match="hwerror_ocr"):
        Settings()
    monkeypatch.setenv("HWERROR_OCR", "off")
    assert Settings().hwerror_ocr == "off"
