"""The digest's chart: incidents per day for the top codes, as PNG bytes (matplotlib, Agg)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display, thread-safe enough for one figure at a time per call

import matplotlib.pyplot as plt  # noqa: E402

from bot.core.digest.compute import Digest  # noqa: E402


def chart_png(digest: Digest) -> bytes | None:
    """None when there is nothing to draw (a quiet week)."""
    if not digest.daily:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    try:
        labels = [f"{d:%a %d}" for d in digest.days]
        for code, counts in digest.daily.items():
            ax.plot(labels, counts, marker="o", linewidth=2, label=code)
        ax.set_title(f"Incidents per day, top codes, {digest.week.label} ({digest.week.tz.key})")
        ax.set_ylabel("incidents")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", fontsize="small", ncols=min(5, len(digest.daily)))
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)
