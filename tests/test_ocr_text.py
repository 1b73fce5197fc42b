"""From OCR lines to text (reading order, wraps, mended codes) and the stricter confidence rule for
image text; on lines and findings made by hand, so no OCR runs here."""

from __future__ import annotations

from bot.core.ocr.closeup import _find, _spans
from bot.core.ocr.engine import OcrLine
from bot.core.ocr.fix import fix_codes, known_code, respace
from bot.core.ocr.layout import reading_order
from knowledge.matching.codes import CodeIndex
from knowledge.matching.entries import bundled_entries
from knowledge.matching.matcher import Matcher
from knowledge.matching.unclear import read_clearly

MATCHER = Matcher(bundled_entries())
CODES = MATCHER.codes
CHAR = 8.0  # a monospace cell, in pixels


def line(text: str, col: int, row: int, score: float = 0.98) -> OcrLine:
    """A line as a terminal shows it: starting at column `col` of row `row`."""
    x0, y0 = 10 + col * CHAR, 10 + row * 20
    return OcrLine(text, score, (x0, y0, x0 + len(text) * CHAR, y0 + 16))


def text_of(lines: list[OcrLine]) -> str:
    return "\n".join(r.text for r in reading_order(lines, [True] * len(lines), known_code(CODES)))


def test_a_code_cut_by_the_terminals_wrap_is_whole_again() -> None:
    lines = [
        line("ClientRequestException - {status_code:400,error_code:AIS.00", 0, 0),
        line("27,error_msg:frozen}", 0, 1),
    ]
    assert "error_code:AIS.0027,error_msg" in text_of(lines)


def test_a_short_line_is_not_joined_to_the_next() -> None:
    lines = [line("ClientRequestException - {status_code:400,error_code:AIS.0027}", 0, 0), line("$ ls", 0, 1)]
    assert text_of(lines).splitlines() == [lines[0].text, "$ ls"]


def test_a_whole_code_at_the_wrap_keeps_its_word_boundary() -> None:
    lines = [
        line("raise ClientRequestException error_code AIS.0027", 0, 0),
        line("at moderate (job.py:29)", 0, 1),
    ]
    assert "AIS.0027 at moderate" in text_of(lines)


def test_a_misread_whole_code_at_a_tight_crops_edge_keeps_its_word_boundary() -> None:
    # A screenshot cropped to its text: the code's line reaches the edge without being wrapped.
    lines = [
        line("ClientRequestException: error_code:M0DELARTS. 0203", 0, 0),
        line("ops@jump:~$", 0, 1),
    ]
    assert "M0DELARTS. 0203 ops@jump" in text_of(lines)  # not `0203ops`: the code stays whole


def test_columns_are_read_one_after_the_other() -> None:
    sidebar = [line("EXPLORER", 0, 0), line("job.py", 0, 1), line("app.log", 0, 2)]
    editor = [line('{"error_code":', 30, 0), line('"AIS.0005",', 30, 1), line('"error_msg": "x"}', 30, 2)]
    assert text_of(sidebar + editor).splitlines() == [
        "EXPLORER",
        "job.py",
        "app.log",
        '{"error_code":',
        '"AIS.0005",',
        '"error_msg": "x"}',
    ]


def test_boxes_of_one_row_are_read_left_to_right() -> None:
    assert text_of([line("AIS.0005", 12, 0), line("错误码:", 0, 0)]) == "错误码: AIS.0005"


def test_ocr_confusions_in_codes_are_mended_conservatively() -> None:
    fixed, mended = fix_codes(
        '"error_code":"AIS.O005" A1S.0401 Mode1Arts.4101 AIS. 0027 v1.2.3 IAM.0oo1', CODES
    )
    assert '"AIS.0005"' in fixed and "AIS.0401" in fixed and "ModelArts.4101" in fixed and "AIS.0027" in fixed
    assert "v1.2.3" in fixed and "IAM.0oo1" in fixed  # not a prefix the knowledge base has: left as read
    assert sorted(mended) == ["AIS.0005", "AIS.0401", "ModelArts.4101"]  # "AIS. 0027": spacing only
    assert fix_codes("AIS.0005 AIs.0004", CODES) == ("AIS.0005 AIs.0004", [])  # case is the matcher's


def test_spaces_ocr_puts_inside_a_codes_number_go() -> None:
    assert respace('"error_code":"ModelArts.41 04",', CODES) == '"error_code":"ModelArts.4104",'
    assert respace("AIS.0005 12 times", CODES) == "AIS.0005 12 times"  # a whole code, then a count
    assert respace("build 4.1 04", CODES) == "build 4.1 04"  # no code of ours


def test_a_code_glued_to_the_words_beside_it_is_split_off() -> None:
    assert respace("ERRORAPIG.0308returnedbytheservice", CODES) == "ERROR APIG.0308 returnedbytheservice"
    assert respace("failed:AIS.0027", CODES) == "failed:AIS.0027"  # not glued: as read
    assert respace("AIS.040l and AIs.003o", CODES) == "AIS.040l and AIs.003o"  # a misread digit, no word
    assert respace("release v1.2.3 build2.0401x", CODES) == "release v1.2.3 build2.0401x"  # no prefix of ours


def test_only_slips_nothing_but_a_digit_explains_are_mended_surely() -> None:
    sure, mended = fix_codes("Mode1Arts.4101 AIS.0O27 AIS.040l A1S.0401 AIS.000S AIS.O0B5", CODES, sure=True)
    assert sure == "ModelArts.4101 AIS.0027 AIS.0401 AIS.0401 AIS.000S AIS.O0B5"
    assert mended == ["ModelArts.4101", "AIS.0027", "AIS.0401", "AIS.0401"]
    # S and B could as well be 3, 6 or 8: mended for the did-you-mean, never surely.
    assert fix_codes("AIS.000S", CODES)[0] == "AIS.0005"


def test_a_code_found_only_after_an_unsure_mending_is_a_did_you_mean() -> None:
    text = '请求失败 错误码 {"error_code":"AIS.0005","error_msg":"The service does not exist."}'
    clear = '请求失败 错误码 {"error_code":"AIS.000S","error_msg":"The service does not exist."}'
    [typed] = MATCHER.match(text)
    assert typed.confident
    [read] = read_clearly(MATCHER.match(text), MATCHER.match(clear))
    assert read.code == "AIS.0005" and not read.confident and read.score < 0.8
    assert read.candidates[0].code == "AIS.0005"  # offered first: "did you mean AIS.0005?"
    [sure] = read_clearly(MATCHER.match(text), MATCHER.match(text))
    assert sure.confident


def test_an_unknown_code_seen_only_after_mending_is_no_knowledge_gap() -> None:
    findings = MATCHER.match('{"error_code":"AIS.0999"}')
    assert findings and not findings[0].known
    assert read_clearly(findings, []) == []
    assert read_clearly(findings, findings) == findings


def test_a_code_index_without_the_prefix_mends_nothing() -> None:
    assert fix_codes("A1S.0O05", CodeIndex(["IAM.0001"])) == ("A1S.0O05", [])


def test_a_close_up_is_clear_by_its_codes_own_characters() -> None:
    # A snug crop takes in quotes and commas, which the model reads less surely than the code.
    text = '":"AIS.0501",'
    beside, code = [0.5, 0.6, 0.7, 0.5], [0.99] * 8
    seen = OcrLine(text, 0.8, (0, 0, 100, 20), tuple(beside[:3] + code + beside[3:] + [0.4]))
    assert _find(seen, "AIS.0501") == "AIS.0501"
    one_doubt = [0.99] * 7 + [0.45]
    doubtful = OcrLine(text, 0.8, (0, 0, 100, 20), tuple(beside[:3] + one_doubt + beside[3:] + [0.4]))
    assert _find(doubtful, "AIS.0501") is None  # one digit at worse than even odds: not clear
    assert _find(seen, "AIS.0507") is None  # not the token the line read


def test_the_rest_of_a_code_wrapped_inside_its_prefix_is_looked_at_closer() -> None:
    rest = OcrLine('s.4104","error_msg":"The request is invalid."', 0.95, (10, 30, 400, 46))
    assert (0, 6) in set(_spans(rest, CODES, after_tail=True))  # `ModelArt` / `s.4104`
    assert (0, 6) not in set(_spans(rest, CODES, after_tail=False))  # no code's start above it
