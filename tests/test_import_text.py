"""The plain-text form of a Huawei Cloud "Error Codes" page (the seed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.importer.rows import NotAnErrorPage
from knowledge.importer.text import parse_text

SEED = "seeds/content-moderation-error-codes.txt"


def test_seed_page_gives_exactly_56_codes_and_skips_others(shared_dir: Path) -> None:
    page = parse_text((shared_dir / SEED).read_text())
    codes = [r.code for r in page.rows]
    assert len(codes) == 56
    assert len(set(codes)) == 56
    assert "Others" not in codes
    assert [s.reason for s in page.skipped] == ["'Others' is not an error code"]
    assert codes[0] == "AIS.0002" and codes[-1] == "ModelArts.4706"


def test_navigation_text_and_footer_stay_out_of_the_rows(shared_dir: Path) -> None:
    page = parse_text((shared_dir / SEED).read_text())
    everything = " ".join(r.message + r.description + r.handling for r in page.rows)
    assert "Elastic Cloud Server" not in everything
    assert "We use cookies" not in everything
    assert "Feedback" not in everything
    last = page.rows[-1]
    assert last.handling == "Failed to download the OBS file. Check whether the file exists."


def test_apig_0301_keeps_its_numbered_paragraphs_in_each_cell(shared_dir: Path) -> None:
    page = parse_text((shared_dir / SEED).read_text())
    row = next(r for r in page.rows if r.code == "APIG.0301")
    for cell in (row.message, row.description):
        paragraphs = cell.split("\n\n")
        assert [p[:2] for p in paragraphs] == ["1.", "2.", "3."]
        assert paragraphs[2].endswith("whether the account is restricted due to arrears.")
    handling = row.handling.split("\n\n")
    assert [h.split(":")[0] for h in handling] == [
        "decrypt token fail",
        "token expires",
        "verify aksk signature fail",
    ]


def test_seed_spot_checks(shared_dir: Path) -> None:
    rows = {r.code: r for r in parse_text((shared_dir / SEED).read_text()).rows}
    assert rows["AIS.0005"].status == 400
    assert rows["AIS.0005"].message == "The service does not exist."
    assert rows["AIS.0011"].message == "Lack the request parameter, or the request parameter is empty."
    assert rows["AIS.0011"].description == "The request parameter is missing or left empty."
    assert rows["ModelArts.4101"].message == "The token is empty."


def test_text_without_a_table_is_not_an_error_page() -> None:
    with pytest.raises(NotAnErrorPage, match="no error-code table header"):
        parse_text("Release notes\n\nVersion 1.2.3 fixes the login page.\n")


def test_broken_rows_are_skipped_and_reported_while_good_rows_import() -> None:
    text = "\n\n".join(
        [
            "Status Code",
            "Error Code",
            "Error",
            "Description",
            "Handling Measure",
            "400",
            "AIS.0001",
            "Bad thing.",
            "A bad thing happened.",
            "Fix it.",
            "4xx",
            "AIS.0002",
            "Status is not a number.",
            "Ignored.",
            "Ignored.",
            "400",
            "not-a-code!",
            "Broken.",
            "Broken.",
            "Broken.",
            "500",
            "AIS.0003",
            "Server error.",
            "The server failed.",
            "Contact technical support.",
        ]
    )
    page = parse_text(text)
    assert [r.code for r in page.rows] == ["AIS.0001", "AIS.0003"]
    assert page.rows[0].handling == "Fix it."
    assert [s.reason for s in page.skipped] == [
        "AIS.0002: status '4xx' is not an HTTP status",
        "'not-a-code!' is not an error code",
    ]
    assert all(s.where.startswith("line ") for s in page.skipped)
