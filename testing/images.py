"""Screenshots made by the tests themselves: text drawn with Pillow in the DejaVu fonts that ship
inside matplotlib (a dependency already), and hand-made bad files (bombs, truncations, PDFs)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

THEMES = {"dark": ((30, 30, 30), (220, 220, 220)), "light": ((255, 255, 255), (20, 20, 20))}


def font_file(mono: bool = True) -> Path:
    import matplotlib

    name = "DejaVuSansMono.ttf" if mono else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def screenshot(
    lines: Sequence[str],
    *,
    theme: str = "dark",
    size: int = 16,
    width: int | None = None,
    mono: bool = True,
    fmt: str = "PNG",
) -> bytes:
    """A terminal-like picture of `lines` (each drawn as is: wrap them yourself to test wrapping)."""
    background, ink = THEMES[theme]
    font = ImageFont.truetype(str(font_file(mono)), size)
    step = int(size * 1.5)
    widest = max(int(font.getlength(line)) for line in lines) if lines else 100
    image = Image.new("RGB", (width or widest + 2 * size, step * len(lines) + 2 * size), background)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((size, size + n * step), line, font=font, fill=ink)
    return encode(image, fmt)


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` pixels in a few dozen bytes: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def animated_gif(colours: Sequence[tuple[int, int, int]]) -> bytes:
    frames = [Image.new("RGB", (40, 30), c) for c in colours]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
