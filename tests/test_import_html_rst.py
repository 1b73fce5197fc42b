"""The HTML and RST readers on the real Open Telekom Cloud pages, and on small hand-made tables.

The real pages live in the shared folder (never copied into the repo); tests that need them skip
when it is absent. The hand-made ones pin cell cleaning, spans, broken rows and the dispatcher.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docutils.core import publish_string

from knowledge.importer.formats import format_of, parse_page
from knowledge.importer.html import parse_html
from knowledge.importer.rows import NotAnErrorPage, ParsedPage, ParsedRow
from knowledge.importer.rst import parse_rst

SHARED_DIR = Path(os.environ.get("HWERROR_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
OTC_DIR = SHARED_DIR / "seeds" / "otc"

ROW_COUNTS = {
    "api-gateway-error-codes.html": 71,
    "api-gateway-error-codes.rst": 71,
    "api-gateway-management-error-codes.html": 293,
    "modelarts-error-codes.html": 864,
    "modelarts-error-codes.rst": 864,
}

_parsed: dict[str, ParsedPage] = {}


def page(name: str) -> ParsedPage:
    """A real page, parsed once per run (ModelArts' RST takes about a second)."""
    if not OTC_DIR.is_dir():
        pytest.skip(f"the shared seeds are not at {OTC_DIR} (set HWERROR_SHARED_DIR)")
    if name not in _parsed:
        _parsed[name] = parse_page((OTC_DIR / name).read_text(encoding="utf-8"), name)
    return _parsed[name]


def only(rows: list[ParsedRow], code: str, status: int | None = None) -> ParsedRow:
    matches = [r for r in rows if r.code == code and (status is None or r.status == status)]
    assert len(matches) == 1, f"{code}/{status}: {len(matches)} rows"
    return matches[0]


# --- the real pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROW_COUNTS))
def test_real_page_row_counts(name: str) -> None:
    parsed = page(name)
    assert len(parsed.rows) == ROW_COUNTS[name]
    assert parsed.skipped == []


@pytest.mark.parametrize("base", ["api-gateway-error-codes", "modelarts-error-codes"])
def test_html_and_rst_of_a_page_give_identical_rows(base: str) -> None:
    html_rows = page(f"{base}.html").rows
    rst_rows = page(f"{base}.rst").rows
    for n, (h, r) in enumerate(zip(html_rows, rst_rows, strict=True), 1):
        assert h == r, f"row {n}"


@pytest.mark.parametrize("name", ["api-gateway-error-codes.html", "api-gateway-error-codes.rst"])
def test_api_gateway_spot_rows(name: str) -> None:
    rows = page(name).rows
    # Bold text in the cell (**X-Stage**) comes out as plain words.
    first = rows[0]
    assert (first.code, first.status) == ("APIG.0101", 404)
    assert first.message == "The API does not exist or has not been published in the environment."
    assert "check whether the X-Stage header in the request is the environment name" in first.handling
    # A description of two paragraphs with emphasis in both.
    protocol = only(rows, "APIG.0607")
    assert protocol.status == 400
    assert protocol.message == "The following protocol is supported: {xxx}"
    assert protocol.description == (
        "The protocol is not supported. Only xxx is supported.\n\n"
        "xxx is subject to the actual value in the response."
    )
    assert "Use HTTP or HTTPS" in protocol.handling
    grant = only(rows, "APIG.2209")
    assert grant.message == "The value of grant_type is not in enum List"
    assert "can only be client_credentials or refresh_token." in grant.handling
    assert all(r.category is None for r in rows)


@pytest.mark.parametrize("name", ["api-gateway-error-codes.html", "api-gateway-error-codes.rst"])
def test_apig_0201_keeps_all_seven_variants_in_page_order(name: str) -> None:
    variants = [(r.status, r.message) for r in page(name).rows if r.code == "APIG.0201"]
    assert variants == [
        (400, "API request error."),
        (413, "Request entity too large."),
        (414, "Request URI too large."),
        (494, "Request headers too large."),
        (502, "Backend unavailable."),
        (504, "Backend timeout."),
        (500, "An unexpected error occurred"),
    ]


def test_api_gateway_management_spot_rows() -> None:
    rows = page("api-gateway-management-error-codes.html").rows
    ok = only(rows, "APIG.0000")
    assert (ok.status, ok.message) == (204, "Successful")
    assert ok.handling == "You do not need to take any actions."
    window = only(rows, "APIC.7235")
    assert window.status == 400
    assert window.message == "The maintenance time window must start or end with 2, 6, 10, 14, 18, or 22."
    assert "start or end with 2, 6, 10" in window.handling
    last = rows[-1]
    assert (last.code, last.status, last.message) == ("APIG.9999", 500, "Internal Server Error")
    assert last.handling == "Contact technical support."


@pytest.mark.parametrize("name", ["modelarts-error-codes.html", "modelarts-error-codes.rst"])
def test_modelarts_spot_rows(name: str) -> None:
    rows = page(name).rows
    # Status 100 and 200 are real statuses on this page, not broken rows.
    quota = rows[0]
    assert (quota.code, quota.status) == ("ModelArts.0116", 100)
    assert quota.message == "The expected {0} exceeds the quota limit."
    assert quota.handling == "Contact the administrator to increase the quota."
    reviewed = only(rows, "ModelArts.4606")
    assert (reviewed.status, reviewed.message) == (200, "The sample has been reviewed.")
    assert "follow-up operations" in reviewed.handling
    # The handling holds inline literal markup with entities (&, <, >) in the HTML.
    spec = only(rows, "ModelArts.3057")
    assert (spec.status, spec.message) == (500, "Task description ({0}) not meeting the specification.")
    assert spec.handling.endswith('cannot contain the following characters: &,!"<>=.')
    # Backslash-escaped backquotes in the RST source read as plain backquotes.
    assert only(rows, "ModelArts.6334").message == (
        "Invalid value for name or description. The character `{}` is not allowed."
    )
    assert {r.status for r in rows} >= {100, 200, 400, 500, 504}


# --- hand-made tables ---------------------------------------------------------------------------

HEADER_HTML = "<tr><th>Error Code</th><th>HTTP Status Code</th><th>Error Message</th><th>Solution</th></tr>"


def html_table(body: str, header: str = HEADER_HTML) -> str:
    table = f"<table><thead>{header}</thead><tbody>{body}</tbody></table>"
    return f"<html><body><h1>Error Codes</h1>{table}</body></html>"


def test_html_cells_come_out_as_clean_text() -> None:
    body = """
      <tr><td><span><b>DLI.0001</b></span></td><td> 400 </td>
        <td>Bad&nbsp;request: <code>&lt;name&gt;</code> &amp; <i>value</i><script>alert("x")</script>
            <style>td {color: red}</style><!-- hidden note --></td>
        <td><p>Check the <strong>request</strong>
               body.</p>
            <p>Then:</p>
            <ol><li>Fix the <em>name</em>.</li><li><p>Retry.</p><ul><li>once</li><li>twice</li></ul></li></ol>
            <p>line one<br/>line two</p>
            <ul><li>a &gt; b</li></ul></td></tr>
    """
    parsed = parse_html(html_table(body))
    assert parsed.skipped == []
    (row,) = parsed.rows
    assert (row.code, row.status) == ("DLI.0001", 400)
    assert row.message == "Bad request: <name> & value"
    assert row.handling == (
        "Check the request body.\n\n"
        "Then:\n\n"
        "1. Fix the name.\n2. Retry.\n- once\n- twice\n\n"
        "line one\nline two\n\n"
        "- a > b"
    )
    for text in (row.message, row.handling):
        assert "alert" not in text and "color" not in text and "hidden note" not in text


def test_html_header_in_first_row_without_thead_and_extra_columns_ignored() -> None:
    text = """<table>
      <tr><td>Error Code</td><td>Remarks</td><td>Description</td><td>Category</td></tr>
      <tr><td>IAM.0001</td><td>ignore me</td><td>Token expired.</td><td>Auth</td></tr>
    </table>"""
    (row,) = parse_html(text).rows
    assert row == ParsedRow("IAM.0001", None, "Token expired.", "Token expired.", "", "Auth")


def test_html_with_optional_end_tags_left_out() -> None:
    # Valid HTML that html.parser nests (each <td>/<li> inside the previous one) unless undone.
    text = """<table>
      <tr><th>Error Code<th>Error Message<th>Solution
      <tr><td>OBS.0001<td>Access denied.<td><ul><li>Check the key.<li>Check the policy.</ul>
      <tr><td>OBS.0002<td>Not found.<td><ol start="3"><li>Retry.<li>Call support.</ol>
    </table>"""
    parsed = parse_html(text)
    assert parsed.skipped == []
    assert [(r.code, r.message, r.handling) for r in parsed.rows] == [
        ("OBS.0001", "Access denied.", "- Check the key.\n- Check the policy."),
        ("OBS.0002", "Not found.", "3. Retry.\n4. Call support."),
    ]


def test_html_rowspan_repeats_and_colspan_fills_the_first_column() -> None:
    body = """
      <tr><td rowspan="3">APIG.0201</td><td>400</td><td>API request error.</td>
          <td>Check the request.</td></tr>
      <tr><td>413</td><td>Request entity too large.</td><td rowspan="2">Reduce the request.</td></tr>
      <tr><td>414</td><td>Request URI too large.</td></tr>
      <tr><td>APIG.0999</td><td>500</td><td colspan="2">Internal error.</td></tr>
    """
    rows = parse_html(html_table(body)).rows
    assert [(r.code, r.status, r.message, r.handling) for r in rows] == [
        ("APIG.0201", 400, "API request error.", "Check the request."),
        ("APIG.0201", 413, "Request entity too large.", "Reduce the request."),
        ("APIG.0201", 414, "Request URI too large.", "Reduce the request."),
        ("APIG.0999", 500, "Internal error.", ""),
    ]


def test_html_broken_rows_are_reported_and_good_rows_kept() -> None:
    body = """
      <tr><td>ECS.0001</td><td>400</td><td>Good one.</td><td>Fine.</td></tr>
      <tr><td>ECS.0002</td><td>400</td><td>Only three cells.</td></tr>
      <tr><td>Note: see below</td><td>400</td><td>Not a code.</td><td>-</td></tr>
      <tr><td>ECS.0004</td><td>4xx</td><td>Bad status.</td><td>-</td></tr>
      <tr><td>ECS.0005</td><td>500</td><td>Good two.</td><td>Fine.</td><td>extra cell</td></tr>
      <tr><td>ECS.0006</td><td>503</td><td>Good three.</td><td>Fine.</td></tr>
    """
    parsed = parse_html(html_table(body))
    assert [r.code for r in parsed.rows] == ["ECS.0001", "ECS.0006"]
    assert [s.where for s in parsed.skipped] == ["row 2", "row 3", "row 4", "row 5"]
    reasons = [s.reason for s in parsed.skipped]
    assert "3 cells" in reasons[0] and "4" in reasons[0]
    assert "is not an error code" in reasons[1]
    assert "not an HTTP status" in reasons[2]
    assert "5 cells" in reasons[3]


def test_html_without_an_error_table_is_not_an_error_page() -> None:
    with pytest.raises(NotAnErrorPage, match="no <table>"):
        parse_html("<html><body><p>Error Code APIG.0101 means nothing here.</p></body></html>")
    with pytest.raises(NotAnErrorPage, match="error-code header"):
        parse_html("<table><tr><th>Name</th><th>Price</th></tr><tr><td>a</td><td>1</td></tr></table>")


RST_TABLE = """\
Error Codes
===========

.. note::

   Codes may change. |bad-substitution| and :unknown-role:`x` must not print warnings.

.. table:: **Table 1** Error codes

   +-------------+-------------+---------------------------+----------------------------------+
   | Error Code  | Status Code | Error Message             | Handling Measure                 |
   +=============+=============+===========================+==================================+
   | CCE_CM.0001 | 400         | Cluster **not** found.    | #. Check the cluster ID.         |
   |             |             |                           | #. Retry with ``--force``.       |
   +-------------+-------------+---------------------------+----------------------------------+
   | CCE.0002    | 403         | Forbidden, see            | - Ask the *admin*.               |
   |             |             | the IAM policy.           | - Grant ``cce:cluster:get``.     |
   |             |             |                           |                                  |
   |             |             |                           | Then retry.                      |
   +-------------+-------------+---------------------------+----------------------------------+
   | not-a-code! | 500         | Oops.                     | Nothing.                         |
   +-------------+-------------+---------------------------+----------------------------------+
   | CCE.0004    | 5XX         | Bad status.               | Nothing.                         |
   +-------------+-------------+---------------------------+----------------------------------+
   | CCE.0005    | 500         | Spans two rows            | Contact support.                 |
   +-------------+-------------+                           +----------------------------------+
   | CCE.0006    | 502         |                           | Retry later.                     |
   +-------------+-------------+---------------------------+----------------------------------+
"""


def test_rst_grid_table_cells_and_broken_rows(capfd: pytest.CaptureFixture[str]) -> None:
    parsed = parse_rst(RST_TABLE)
    assert capfd.readouterr().err == ""
    assert [(r.code, r.status, r.message, r.handling) for r in parsed.rows] == [
        ("CCE_CM.0001", 400, "Cluster not found.", "1. Check the cluster ID.\n2. Retry with --force."),
        (
            "CCE.0002",
            403,
            "Forbidden, see the IAM policy.",
            "- Ask the admin.\n- Grant cce:cluster:get.\n\nThen retry.",
        ),
        ("CCE.0005", 500, "Spans two rows", "Contact support."),
        ("CCE.0006", 502, "Spans two rows", "Retry later."),
    ]
    assert [s.where for s in parsed.skipped] == ["row 3 (line 21)", "row 4 (line 23)"]
    assert "is not an error code" in parsed.skipped[0].reason
    assert "not an HTTP status" in parsed.skipped[1].reason


def test_rst_and_its_docutils_html_rendering_agree() -> None:
    rendered = publish_string(
        RST_TABLE, writer="html5", settings_overrides={"report_level": 5, "output_encoding": "unicode"}
    )
    assert isinstance(rendered, str)
    from_html, from_rst = parse_html(rendered), parse_rst(RST_TABLE)
    assert from_html.rows == from_rst.rows
    assert [s.reason for s in from_html.skipped] == [s.reason for s in from_rst.skipped]


def test_rst_without_an_error_table_is_not_an_error_page(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NotAnErrorPage, match="no table"):
        parse_rst("Title\n=====\n\nJust prose about APIG.0101.\n\n.. unknown-directive::\n")
    with pytest.raises(NotAnErrorPage, match="error-code header"):
        parse_rst("+------+-------+\n| Name | Price |\n+======+=======+\n| a    | 1     |\n+------+-------+")
    with pytest.raises(NotAnErrorPage, match="malformed table"):
        parse_rst("+------+------+\n| Code | Error|\n+======+======+\n| A.01 | x  |\n+------+------+\n")
    assert capfd.readouterr().err == ""


def test_rst_include_directive_does_not_read_local_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET", encoding="utf-8")
    include = f".. include:: {secret}"
    width = len(include) + 2
    border, rule = "+----------+" + "-" * width + "+", "+==========+" + "=" * width + "+"

    def line(code: str, cell: str) -> str:
        return f"| {code:<8} | {cell:<{width - 2}} |"

    text = "\n".join(
        [border, line("Code", "Error Message"), rule, line("ECS.0001", include), line("", ""),
         line("", "Read it."), border, ""]
    )  # fmt: skip
    (row,) = parse_rst(text).rows
    assert row.message == "Read it."


# --- dispatcher ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("anything", "page.HTML", "html"),
        ("anything", "dir/page.htm", "html"),
        ("anything", "page.rst", "rst"),
        ("  <!DOCTYPE html><p>x</p>", "page.txt", "html"),
        ("Intro\n<TABLE class='x'><tr><td>a</td></tr></TABLE>", None, "html"),
        ("Title\n\n   +----+----+\n   | a  | b  |\n   +====+====+\n", "page.txt", "rst"),
        ("Status Code\n\nError Code\n\nError Message\n\n400\n\nAPIG.0101\n\nBad.\n", "page.txt", "text"),
        ("Error Code\n\nCost: 3 + 4 | 5\n", None, "text"),
    ],
)
def test_format_of(text: str, filename: str | None, expected: str) -> None:
    assert format_of(text, filename) == expected


def test_parse_page_dispatches_to_each_reader() -> None:
    html = html_table("<tr><td>ECS.0001</td><td>400</td><td>Good.</td><td>Fine.</td></tr>")
    assert [r.code for r in parse_page(html).rows] == ["ECS.0001"]
    assert [r.code for r in parse_page(RST_TABLE, "x.rst").rows][:1] == ["CCE_CM.0001"]
    text = "Status Code\n\nError Code\n\nError Message\n\nSolution\n\n400\n\nAPIG.0101\n\nBad.\n\nFix it.\n"
    (row,) = parse_page(text, "page.txt").rows
    assert (row.code, row.status, row.message, row.handling) == ("APIG.0101", 400, "Bad.", "Fix it.")
