"""The digest's chart: incidents per day, stacked by code, as PNG bytes (matplotlib, Agg).

Made to be read in two seconds in Slack's preview (about 360 px wide): one bar per day that has
happened (days still to come are left out, not drawn as zeros), the top codes stacked with the
rest as "other", each bar's total on top, the legend beside the bars rather than over them,
Okabe-Ito colours (told apart with every common colour-vision deficiency) and the week and time
zone in the title.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.digest.compute import Digest

# Okabe & Ito (2008), "Color Universal Design"; grey is for "other".
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER = "#999999"
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 3.4, 150  # 960 x 510 px; 11-point labels stay legible scaled to 360 px


def chart_figure(digest: Digest) -> Figure | None:
    """The figure (for tests to read, and for `chart_png`); None when there is nothing to draw."""
    days = digest.days_so_far
    if not digest.daily or days == 0:
        return None
    labels = [f"{d:%a}\n{d.day}" for d in digest.days[:days]]
    series = [(code, counts[:days]) for code, counts in digest.daily.items()]
    totals = (digest.daily_total or [sum(c[i] for _, c in series) for i in range(7)])[:days]
    other = [max(0, t - sum(c[i] for _, c in series)) for i, t in enumerate(totals)]
    if any(other):
        series.append(("other", other))

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    bottom = [0] * days
    for n, (code, counts) in enumerate(series):
        colour = OTHER if code == "other" else OKABE_ITO[n % len(OKABE_ITO)]
        ax.bar(labels, counts, bottom=bottom, color=colour, label=code, width=0.7, edgecolor="white")
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for x, total in enumerate(bottom):
        if total:
            ax.annotate(
                str(total),
                (x, total),
                ha="center",
                va="bottom",
                fontsize=9,
                xytext=(0, 2),
                textcoords="offset points",
            )
    w = digest.week
    first, last = w.days()[0], w.days()[-1]
    # Two lines, from the left edge: a long zone name (America/Argentina/Buenos_Aires) still fits.
    figure.suptitle(
        f"Incidents per day, {w.label}\n{first:%a %d %b} to {last:%a %d %b %Y}, {w.tz.key}",
        x=0.01,
        ha="left",
        fontsize=12,
    )
    ax.set_ylim(0, max(max(bottom), 1) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=11)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # Outside the axes, to their right: it can never cover a bar. Top code first, as stacked.
    handles, names = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=11, frameon=False
    )
    return figure


def chart_png(digest: Digest) -> bytes | None:
    """None when there is nothing to draw (a quiet week)."""
    figure = chart_figure(digest)
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
