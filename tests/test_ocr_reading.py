"""The screenshot reader end to end (real OCR, so few tests): pictures the test draws, and a few of
the development set's screenshots (../shared/eval/screenshots)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.core.incidents.enums import Source
from bot.core.incidents.models import Incident
from bot.core.incidents.record import Sighting
from bot.core.ocr.problems import ImageProblem, ImageRefused
from bot.core.ocr.reader import ImageReader, read_text
from bot.core.redaction import MASK
from knowledge.db import session_factory
from knowledge.matching.entries import bundled_entries
from knowledge.matching.matcher import Matcher
from knowledge.matching.unclear import read_clearly
from testing.images import screenshot

MATCHER = Matcher(bundled_entries())
TERMINAL = [
    "ops@hw-jump-01:~$ python moderate.py --image https://example.com/a.jpg",
    "Request failed, see below:",
    "huaweicloudsdkcore.exceptions.exceptions.ClientRequestException: {status_code:400,error_code:AIS.00",
    "27,error_msg:The account has been frozen.}",
    "ops@hw-jump-01:~$",
]


def confident(text: str, clear: str) -> list[str]:
    return [f.code for f in read_clearly(MATCHER.match(text), MATCHER.match(clear)) if f.confident]


def test_a_terminal_screenshot_with_a_wrapped_code_is_read() -> None:
    # Chinese around the error is pinned by the development set's console toast (no CJK font here).
    read = read_text(screenshot(TERMINAL, theme="dark", width=1000), MATCHER.codes)
    assert "Requestfailed" in read.text.replace(" ", "")  # OCR drops spaces; the words are read
    assert "error_code:AIS.0027" in read.text.replace(" ", "")  # the wrap undone
    assert confident(read.text, read.clear) == ["AIS.0027"]


def test_a_light_proportional_screenshot_of_a_json_body_is_read() -> None:
    body = ["{", '  "error_code": "ModelArts.4101",', '  "error_msg": "The token is empty."', "}"]
    read = read_text(screenshot(body, theme="light", mono=False, size=18), MATCHER.codes)
    assert confident(read.text, read.clear) == ["ModelArts.4101"]


def test_lines_read_on_two_threads_come_back_in_reading_order() -> None:
    # The recogniser reads a screenshot's lines on as many threads as the worker has cores.
    lines = [f"step {n}: GET /v2/projects/{n * 7}/servers ok" for n in range(8)] + TERMINAL
    picture = screenshot(lines, theme="light", width=1000)
    one, two = (read_text(picture, MATCHER.codes, threads=n) for n in (1, 2))
    assert two.text == one.text and two.clear == one.clear
    rows = [row.replace(" ", "").split(":")[0] for row in two.text.splitlines()[:8]]
    assert rows == [f"step{n}" for n in range(8)]  # OCR drops spaces; the order is what counts
    assert confident(two.text, two.clear) == ["AIS.0027"]


def test_an_image_without_an_error_gives_no_finding() -> None:
    lines = [
        "Name: huaweicloudsdkcore",
        "Version: 3.1.120",
        "Location: /usr/lib/python3.11",
        "Ticket OPS-1234 closed",
    ]
    read = read_text(screenshot(lines, theme="light"), MATCHER.codes)
    assert "Version" in read.text
    assert read_clearly(MATCHER.match(read.text), MATCHER.match(read.clear)) == []


def test_a_secret_on_a_screenshot_is_never_stored(engine: Engine) -> None:
    from bot.core.incidents.record import record_incidents
    from knowledge.bundled import load_bundled

    lines = [
        "db=postgresql://app:hunter2@db.internal:5432/prod password=Sup3r-S3cret!",
        '{"error_code": "AIS.0005", "error_msg": "The service does not exist."}',
    ]
    read = read_text(screenshot(lines, theme="dark"), MATCHER.codes)
    findings = read_clearly(MATCHER.match(read.text), MATCHER.match(read.clear))
    assert [f.code for f in findings if f.confident] == ["AIS.0005"]
    with session_factory(engine)() as session:
        load_bundled(session)
        where = Sighting(workspace="T1", channel="C1", message_key="1.0", source=Source.IMAGE, text=read.text)
        record_incidents(session, where, findings)
        session.commit()
        [incident] = session.scalars(select(Incident)).all()
    assert incident.source == Source.IMAGE
    assert MASK in incident.excerpt and "hunter2" not in incident.excerpt and "S3cret" not in incident.excerpt


def test_a_worker_that_timed_out_comes_back_for_the_next_image() -> None:
    picture = screenshot(["error_code: AIS.0005"])
    reader = ImageReader(lambda: MATCHER.codes, workers=1, timeout=1e-6)
    with pytest.raises(ImageRefused) as caught:
        reader.read(picture)
    assert caught.value.problem is ImageProblem.TIMEOUT
    reader.timeout = 120.0
    assert "AIS.0005" in reader.read(picture).text


DEV = [
    "d07_term_http_listener.png",
    "d02_term_light_sdk_str.png",
    "d16_console_toast_zh.png",
    "d44_neg_term_versions.png",
]


@pytest.mark.parametrize("name", DEV)
def test_development_screenshots_are_answered_as_labelled(shared_dir: Path, name: str) -> None:
    folder = shared_dir / "eval" / "screenshots"
    [label] = [
        lab
        for lab in map(json.loads, (folder / "labels.jsonl").read_text().splitlines())
        if lab["file"] == name
    ]
    read = read_text((folder / name).read_bytes(), MATCHER.codes)
    findings = read_clearly(MATCHER.match(read.text), MATCHER.match(read.clear))
    assert sorted(f.code for f in findings if f.confident) == label["expect"]
    if label["kind"].startswith("silent"):
        assert findings == []  # no reply at all
