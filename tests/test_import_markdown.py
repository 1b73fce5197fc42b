"""Markdown pages, as Huawei keeps its docs: pipe tables or embedded HTML, English or Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.importer.formats import format_of, parse_page
from knowledge.importer.load import read_page
from knowledge.importer.rows import NotAnErrorPage, entries_from_rows
from knowledge.matching.matcher import Matcher

PIPE_PAGE = """# 错误码

| 状态码 | 错误码 | 错误信息 | 描述 | 建议解决方法 | 模块 |
|---|---|---|---|---|---|
| 400 | SVC.0001 | Invalid `name` <br> value. | 请求无效 | 请检查 [参数](https://x) | 用户 |
| 400 | 1100 | 缺失必选参数。 | 缺失必选参数。 | 请检查请求参数。 | 用户 |
| 500 | 其他 | 未知错误 | 未知 | 联系技术支持 | 通用 |
"""


def test_the_real_chinese_iam_page_gives_all_115_codes(shared_dir: Path) -> None:
    page = read_page(shared_dir / "seeds" / "zh" / "iam-error-codes.md")
    codes = [r.code for r in page.rows]
    assert (len(codes), len(set(codes)), page.skipped) == (115, 115, [])
    bare = [c for c in codes if c.isdigit()]
    assert len(bare) == 16 and min(bare) == "1100" and max(bare) == "1118"
    row = next(r for r in page.rows if r.code == "1100")
    assert (row.status, row.message, row.handling) == (400, "缺失必选参数。", "请检查请求参数。")


def test_a_chinese_message_is_matched_like_an_english_one(shared_dir: Path) -> None:
    page = read_page(shared_dir / "seeds" / "zh" / "iam-error-codes.md")
    m = Matcher(entries_from_rows(page.rows, "iam"))
    (f,) = m.match('{"error_code":"1100","error_msg":"缺失必选参数。"}')
    assert (f.code, f.service, f.confident) == ("1100", "iam", True)
    (f,) = m.match("缺失必选参数", "lookup")
    assert f.code == "1100"


def test_pipe_tables_with_chinese_headers_and_a_catch_all_row() -> None:
    page = parse_page(PIPE_PAGE, "errors.md")
    assert [(r.code, r.status, r.category) for r in page.rows] == [
        ("SVC.0001", 400, "用户"),
        ("1100", 400, "用户"),
    ]
    assert page.rows[0].message == "Invalid name\nvalue."
    assert page.rows[0].handling == "请检查 参数"
    assert [s.reason for s in page.skipped] == ["'其他' is not an error code"]


def test_markdown_is_recognised_without_its_file_name() -> None:
    assert format_of(PIPE_PAGE) == "markdown"
    assert format_of("<table><tr><th>错误码</th></tr></table>", "x.md") == "markdown"


def test_markdown_without_an_error_table_is_not_an_error_page() -> None:
    with pytest.raises(NotAnErrorPage, match="none of the 1 tables"):
        parse_page("| a | b |\n|---|---|\n| 1 | 2 |\n", "x.md")
    with pytest.raises(NotAnErrorPage, match="no table"):
        parse_page("# Just prose\n\nnothing here\n", "x.md")
