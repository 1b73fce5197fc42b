"""A second, close look at every code the first reading found: is the reading clear?

The recogniser reads a whole line at once, and its sense of language makes look-alikes of digits
inside long lines of code (`AIS.0oo7`, `AlS.0401`, `Mode1Arts`). Read again on a crop around the
code alone, the same model mostly reads the characters as printed. So each code-shaped token
(a known prefix, a dot, a number with look-alikes) and each piece of a code at a line's end or
start (a wrapped `AIS.00` / `27`) is read a second time: when the two readings agree up to
look-alike characters and the code's own characters were read surely (the punctuation a crop
takes in beside it does not count), the close-up's characters replace the first reading's;
otherwise the line is not clear. Whether what is left still needs mending is for `fix` to find.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from PIL import Image

from bot.core.ocr.engine import OcrLine, read_crop
from bot.core.ocr.fix import known_prefix
from knowledge.matching.codes import CodeIndex

CLEAR_SCORE = 0.9  # a line, and a code's characters close up, read at least this surely are clear
# ...and none of a code's characters less surely than even odds: a mean hides one doubtful digit.
CHARACTER_SCORE = 0.5
LINE_WITH_CODES_SCORE = 0.75  # below it, the rest of a line is too doubtful to stand on
MAX_CLOSEUPS = 20  # per image: a screen full of codes costs a bounded time
_SAME = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "I": "1",
        "L": "1",
        "|": "1",
        "!": "1",
        "S": "5",
        "$": "5",
        "B": "8",
        "G": "6",
        " ": None,
    }
)
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_CODEISH = re.compile(r"(?<![\w.])[A-Za-z0-9|!$]{2,24} ?\. ?[0-9OoQDIil|!SsB]{3,12}(?!\w)")
_TAIL = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z0-9|!$]{1,24}(?: ?\. ?[0-9OoQDIil|!SsB]{0,11})?$")
# The rest of a wrapped code: its number (`27`, `.0005`), or the end of its prefix too (`s.4104`).
_HEAD = re.compile(r"^(?:[A-Za-z]{0,23} ?\. ?|\.)?[0-9OoQDIil|!SsB]{1,12}(?!\w)")


def shape(text: str) -> str:
    """`text` with look-alike characters made one: `AlS.0oo7` and `AIS.0007` have one shape."""
    return text.upper().translate(_SAME)


def _spans(line: OcrLine, codes: CodeIndex, after_tail: bool) -> Iterator[tuple[int, int]]:
    text = line.text
    for m in _CODEISH.finditer(text):
        if known_prefix(m[0].split(".")[0].strip(), codes) is not None:
            yield m.span()
    tail = _TAIL.search(text)
    if tail and not _CODEISH.search(tail[0]) and known_prefix(tail[0].split(".")[0].strip(), codes):
        yield tail.span()
    head = _HEAD.match(text)
    if head and (after_tail or head[0].startswith(".")):
        yield head.span()


def _box(line: OcrLine, a: int, b: int, margin: float) -> tuple[float, float, float, float]:
    """Where characters a..b of a line are, about: their place is estimated from the characters
    before them (a Chinese character is two cells wide), so proportional fonts put it off a little;
    it is widened by `margin` cells. The height is the detector's own box: padding it takes in
    the rows above and below, and the recogniser reads those too."""
    x0, y0, x1, y1 = line.box
    widths = [2.0 if _WIDE.match(c) else 1.0 for c in line.text]
    cell = (x1 - x0) / max(1.0, sum(widths))
    left = x0 if a == 0 else max(x0, x0 + (sum(widths[:a]) - margin) * cell)
    right = x1 if b >= len(line.text) else min(x1, x0 + (sum(widths[:b]) + margin) * cell)
    return (left, y0, right, y1)


def look_closer(
    image: Image.Image, lines: list[OcrLine], codes: CodeIndex, threads: int = 0
) -> list[tuple[OcrLine, bool]]:
    """Each line with its codes as seen close up, and whether the line was read clearly."""
    out: list[tuple[OcrLine, bool]] = []
    budget, after_tail = MAX_CLOSEUPS, False
    for line in lines:
        text = line.text
        spans = sorted(_spans(line, codes, after_tail), reverse=True)  # from the end: spans stay valid
        # A line with codes is as clear as its codes seen close up (a low-contrast line scores low
        # for its punctuation), if it was read fairly at all; a line without, as it was read.
        clear = line.score >= (LINE_WITH_CODES_SCORE if spans else CLEAR_SCORE)
        for a, b in spans:
            if budget <= 0:
                clear = False
                break
            token, found = text[a:b], None
            # A snug crop first; a wider one when the estimate of the code's place missed it.
            for margin in (max(3.0, 0.3 * (b - a)), max(8.0, b - a)):
                budget -= 1
                seen = read_crop(image, _box(line, a, b, margin), threads, alike=shape)
                found = _find(seen, token)
                if found is not None:
                    break
            if found is None:
                clear = False
                continue
            text = text[:a] + found + text[b:]
        after_tail = bool(_TAIL.search(line.text))
        out.append((OcrLine(text, line.score, line.box), clear))
    return out


def _find(seen: OcrLine, token: str) -> str | None:
    """The part of the close-up reading (`read_crop`'s, which gives each character's certainty)
    that is `token` up to look-alikes, as the close-up read it, when its own characters were read
    clearly; else None."""
    want = shape(token)
    text = seen.text
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            if shape(text[start:end]) == want and text[start:end].strip() == text[start:end]:
                sure = seen.confidences[start:end]
                clear = sum(sure) / len(sure) >= CLEAR_SCORE and min(sure) >= CHARACTER_SCORE
                return text[start:end] if clear else None
    return None
