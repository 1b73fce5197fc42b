"""The first reading of every line runs on OpenVINO, the close-ups on ONNX Runtime: both read the
same, and loading OpenVINO sends nothing anywhere."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from bot.core.ocr import engine
from bot.core.ocr.closeup import look_closer, shape
from bot.core.ocr.engine import OcrLine
from bot.core.ocr.network import Network
from knowledge.matching.entries import bundled_entries
from knowledge.matching.matcher import Matcher
from testing.images import screenshot

CODES = Matcher(bundled_entries()).codes

LINES = [
    ("error_code: AIS.0005", "AIS.0005"),
    (
        'huaweicloudsdkcore.exceptions.ClientRequestException: {"error_code": "ModelArts.4101"}',
        "ModelArts.4101",
    ),
    ("2026-12-01 14:03:11 ERROR request 5d1f0e2c failed with APIGW.0301 after 3 retries", "APIGW.0301"),
]


def line_crop(line: str) -> np.ndarray:
    """One line drawn dark on light and cut out as the detector would: the ink and a little
    around it, in the engine's colour order (BGR)."""
    picture = Image.open(io.BytesIO(screenshot([line], theme="light", size=16))).convert("RGB")
    x0, y0, x1, y1 = ImageOps.invert(picture.convert("L")).getbbox() or (0, 0, *picture.size)
    crop = picture.crop((x0 - 4, y0 - 4, x1 + 4, y1 + 4))
    return np.ascontiguousarray(np.asarray(crop)[:, :, ::-1])


@pytest.mark.parametrize(("line", "code"), LINES)
def test_the_fast_first_reading_reads_what_the_exact_close_up_reads(line: str, code: str) -> None:
    reader = engine._engine(1).text_rec
    assert isinstance(reader._fast, Network)  # the `ocr` extra brings OpenVINO: no quiet fallback
    crop = line_crop(line)
    fast, exact = reader.read(crop), reader.read(crop, exact=True)
    assert fast[0] == exact[0]  # letter for letter, the model's own slips included (ERR0R)
    assert code in fast[0]
    assert abs(fast[1] - exact[1]) < 0.05  # how sure: bfloat16 moves it a little, no more


def test_openvino_is_loaded_without_its_telemetry() -> None:
    # `import openvino` alone would send a usage event to Google Analytics (openvino-telemetry).
    model = Path(engine._engine(1).text_rec._exact.session._model_path)
    probe = (
        "import sys\n"
        "from bot.core.ocr.network import compiled\n"
        "import numpy\n"
        f"assert compiled({str(model)!r}, numpy.zeros((1, 3, 48, 320), numpy.float32)) is not None\n"
        "loaded = sorted(m for m in sys.modules if 'telemetry' in m or (sys.modules[m] and 'ovc' in m))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == ""


def test_a_close_up_gives_how_surely_each_character_was_read() -> None:
    reader = engine._engine(1).text_rec
    crop = line_crop(LINES[0][0])
    text, confidences = reader.characters(crop)
    assert text == reader.read(crop, exact=True)[0] and len(confidences) == len(text)
    assert sum(confidences) / len(confidences) == pytest.approx(reader.read(crop, exact=True)[1])


def test_a_close_up_counts_look_alikes_as_one_shape() -> None:
    # In a sans font the model is torn between `I` and `l`; for a code both are the same shape.
    reader = engine._engine(1).text_rec
    crop = line_crop("error_code: AIS.0011")
    text, plain = reader.characters(crop)
    same_text, alike = reader.characters(crop, alike=shape)
    assert same_text == text
    assert all(a >= p - 1e-6 for a, p in zip(alike, plain, strict=True))


def test_a_line_with_codes_is_as_clear_as_its_codes_close_up() -> None:
    picture = Image.open(io.BytesIO(screenshot(["error_code: AIS.0023"], theme="light", size=18)))
    x0, y0, x1, y1 = ImageOps.invert(picture.convert("L")).getbbox() or (0, 0, *picture.size)
    box = (x0 - 3.0, y0 - 3.0, x1 + 3.0, y1 + 3.0)
    # The first reading scored the line low (its punctuation, say); the code itself is plain.
    [(line, clear)] = look_closer(picture.convert("RGB"), [OcrLine("error_code: AIS.0023", 0.8, box)], CODES)
    assert clear and "AIS.0023" in line.text
    [(_, plain)] = look_closer(picture.convert("RGB"), [OcrLine("error code", 0.8, box)], CODES)
    assert not plain  # no code to look at closer: the line's own score decides
    [(_, doubtful)] = look_closer(picture.convert("RGB"), [OcrLine("error_code: AIS.0023", 0.6, box)], CODES)
    assert not doubtful  # read too poorly for its code alone to vouch for it
