"""The machine interface: one JSON line out per line in, in order, and bad lines do not stop it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from knowledge.matching.entries import bundled_entries
from knowledge.matching.jsonl import run_jsonl
from knowledge.matching.matcher import Matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(bundled_entries())


def run(matcher: Matcher, *records: object) -> list[dict[str, Any]]:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return [json.loads(out) for out in run_jsonl(matcher, lines)]


def test_a_finding_has_exactly_the_documented_fields(matcher: Matcher) -> None:
    (out,) = run(matcher, {"id": "a", "text": '{"error_code": "AIS.0027"}'})
    assert out == {
        "id": "a",
        "findings": [
            {
                "code": "AIS.0027",
                "service": "content-moderation",
                "confident": True,
                "score": 1.0,
                "candidates": ["AIS.0027"],
            }
        ],
    }


def test_mode_defaults_to_paste_and_lookup_is_generous(matcher: Matcher) -> None:
    paste, lookup = run(matcher, {"id": 1, "text": "ais 27"}, {"id": 2, "text": "ais 27", "mode": "lookup"})
    assert paste == {"id": 1, "findings": []}
    assert lookup["findings"][0]["code"] == "AIS.0027"


def test_unsure_findings_carry_did_you_mean_candidates(matcher: Matcher) -> None:
    (out,) = run(
        matcher, {"id": "x", "text": '{"error_code": "AIS.0503", "error_msg": "The image is damaged."}'}
    )
    (finding,) = out["findings"]
    assert finding["confident"] is False and finding["code"] == "AIS.0503"
    assert "AIS.0403" in finding["candidates"][:3]
    assert len(finding["candidates"]) <= 5


def test_bad_lines_answer_with_an_error_and_the_run_goes_on(matcher: Matcher) -> None:
    outs = run(
        matcher,
        "not json",
        "[1, 2]",
        {"id": "no-text"},
        {"id": "bad-mode", "text": "x", "mode": "shout"},
        {"id": {"nested": 1}, "text": "x"},
        {"id": "ok", "text": "AIS.0005"},
    )
    assert [o["id"] for o in outs] == [None, None, "no-text", "bad-mode", None, "ok"]
    assert all("error" in o for o in outs[:5])
    assert outs[5]["findings"][0]["code"] == "AIS.0005"


def test_blank_lines_are_skipped_and_order_is_kept(matcher: Matcher) -> None:
    lines = ["", json.dumps({"id": "1", "text": "AIS.0002"}), "  ", json.dumps({"id": "2", "text": "lunch?"})]
    assert [json.loads(o)["id"] for o in run_jsonl(matcher, lines)] == ["1", "2"]


def test_the_module_runs_as_a_filter_over_stdin() -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": "p", "text": "ClientRequestException: The account has been frozen."}),
            json.dumps({"id": "l", "text": "modelart.4101", "mode": "lookup"}),
            "{broken",
        ]
    )
    proc = subprocess.run(
        [sys.executable, "-m", "knowledge.matching.jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    outs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in outs] == ["p", "l", None]
    assert outs[0]["findings"][0]["code"] == "AIS.0027"
    assert outs[1]["findings"][0]["code"] == "ModelArts.4101"
    assert "error" in outs[2]
