"""The digest's chart (stacked bars a team reads in two seconds) and the rows' words."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from matplotlib.patches import Rectangle
from sqlalchemy import Engine

from bot.core.digest.chart import OKABE_ITO, OTHER, chart_figure, chart_png
from bot.core.digest.compute import build_digest
from bot.core.digest.weeks import Week, zone
from knowledge.bundled import load_bundled
from knowledge.db import session_factory, transaction
from knowledge.models import Entry
from testing.factories import incident

BERLIN = zone("Europe/Berlin")
WEEK = Week.parse("2026-W47", BERLIN)  # Mon 16 Nov to Sun 22 Nov 2026
# Wednesday 18 Nov, 15:00 in Berlin: Thursday to Sunday have not happened yet.
WEDNESDAY = datetime(2026, 11, 18, 15, 0, tzinfo=BERLIN).astimezone(UTC)


def _day(n: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, 16 + n, hour, tzinfo=BERLIN).astimezone(UTC)


def _seven_codes_on_three_days(engine: Engine) -> None:
    """Seven codes with equal counts (on a line chart they hid each other), Monday to Wednesday."""
    codes = ["AIS.0002", "AIS.0003", "AIS.0005", "AIS.0013", "AIS.0021", "AIS.0027", "AIS.0030"]
    with transaction(engine) as session:
        load_bundled(session)
        for day in range(3):
            for code in codes:
                session.add(incident(code, at=_day(day)))


def test_the_chart_stacks_bars_for_days_that_happened_with_other_and_the_legend_outside(
    engine: Engine,
) -> None:
    _seven_codes_on_three_days(engine)
    with session_factory(engine)() as session:
        digest = build_digest(session, WEEK, now=WEDNESDAY)
    figure = chart_figure(digest)
    assert figure is not None
    [ax] = figure.axes
    figure.canvas.draw()
    # Days that have happened only: Monday to Wednesday, no zero bars for the rest of the week.
    labels = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert labels == ["Mon", "Tue", "Wed"]
    # Stacked: the five top codes and "other" (two codes), every bar adding up to the day's total.
    legend = ax.get_legend()
    assert legend is not None
    names = [t.get_text() for t in legend.get_texts()]
    assert len(names) == 6 and names[0] == "other" and "AIS.0002" in names
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 6 * 3 and all(b.get_height() > 0 for b in bars)
    tops: dict[int, float] = {}
    for b in bars:
        x = round(b.get_x() + b.get_width() / 2)
        tops[x] = max(tops.get(x, 0), b.get_y() + b.get_height())
    assert tops == {0: 7, 1: 7, 2: 7}
    # Colour-blind-safe colours, grey for "other".
    colours = {b.get_facecolor()[:3] for b in bars}
    from matplotlib.colors import to_rgb

    assert colours <= {to_rgb(c) for c in (*OKABE_ITO, OTHER)}
    # The legend is outside the axes: its box does not overlap the plotting area.
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    box, area = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    assert box.x0 >= area.x1
    # The week and the time zone are in the title.
    title = figure.get_suptitle()
    assert "2026-W47" in title and "Europe/Berlin" in title and "16 Nov" in title


def test_the_png_is_wide_enough_for_slacks_preview_and_a_past_week_has_seven_bars(engine: Engine) -> None:
    from matplotlib.image import imread

    _seven_codes_on_three_days(engine)
    with session_factory(engine)() as session:
        digest = build_digest(session, WEEK, now=WEDNESDAY + timedelta(days=30))
    figure = chart_figure(digest)
    assert figure is not None
    assert len(figure.axes[0].get_xticklabels()) == 7
    png = chart_png(digest)
    assert png is not None
    height, width, _ = imread(io.BytesIO(png)).shape
    # At Slack's ~360 px preview the image is scaled by at most 2.7: 11-point labels stay legible.
    assert 800 <= width <= 1000 and width / height < 2.2


def test_a_row_names_the_variant_seen_most_and_the_trend_does_not_repeat_last_week(engine: Engine) -> None:
    with transaction(engine) as session:
        for variant, status, message in (
            (0, 400, "API request error."),
            (1, 413, "Request entity too large."),
        ):
            session.add(
                Entry(
                    service="apig",
                    code="APIG.0201",
                    variant=variant,
                    status=status,
                    message=message,
                    description=message,
                    handling="Check the request.",
                )
            )
        for n in range(3):
            session.add(incident("APIG.0201", at=_day(n), service="apig", variant=1))
    with session_factory(engine)() as session:
        digest = build_digest(session, WEEK, now=WEDNESDAY)
    [row] = digest.top
    assert row.message == "Request entity too large."
    assert (row.previous, row.trend) == (0, "new")


def test_busiest_channels_mention_slack_channels_and_name_the_shell_as_text(engine: Engine) -> None:
    from bot.slack.blocks.digest import digest_message

    with transaction(engine) as session:
        load_bundled(session)
        session.add(incident("AIS.0027", at=_day(0), channel="C0123ABCD"))
        session.add(incident("AIS.0027", at=_day(0), channel="shell"))
    with session_factory(engine)() as session:
        digest = build_digest(session, WEEK, now=WEDNESDAY)
    body = str(digest_message(digest).blocks)
    assert "<#C0123ABCD> ×1" in body and "#shell ×1" in body and "<#shell>" not in body
