"""Charts of the statistics tables as inline SVG, drawn server-side with matplotlib.

Text stays text (``svg.fonttype: none``, in the documents' font, Noto Sans CJK SC), so the
charts are sharp at every size and searchable; the ``<svg>`` keeps only its ``viewBox`` (no
fixed width or height) so that it scales to the width of a phone, and says what it shows to
screen readers (``role="img"``, ``aria-label``, ``<title>``). Every label comes from the
database or a translation and is escaped by matplotlib (and here, for the attributes): no
text reaches the SVG raw.
"""

from __future__ import annotations

import io
import re
from html import escape
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from accord.analytics.figures import Table

PALETTE = (
    "#3b6ea8",
    "#6aa57d",
    "#d08c60",
    "#8e7cc3",
    "#c9b458",
    "#5aa9b8",
    "#b07aa1",
    "#9aa0a6",
)
INK = "#33393f"
MUTED = "#7a828a"
GRID = "#e3e6ea"
MAX_BARS = 15
MAX_LABEL = 18

STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": ["Noto Sans CJK SC", "DejaVu Sans", "sans-serif"],
    "font.size": 10,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": GRID,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "figure.facecolor": "none",
    "axes.facecolor": "none",
}

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.DOTALL)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _short(label: object) -> str:
    text = str(label)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _empty(ax: Axes, message: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, fontsize=11)


def _bars(ax: Axes, table: Table, *, stacked: bool, horizontal: bool) -> None:
    rows = table.rows[:MAX_BARS]
    series = table.chart_series
    labels = [_short(row[0]) for row in rows]
    positions = list(range(len(rows)))
    if horizontal:
        positions = positions[::-1]  # the first row on top
    width = 0.75 if stacked or len(series) == 1 else 0.8 / len(series)
    base = [0.0] * len(rows)
    for index, column in enumerate(series):
        values = [_number(row[column]) for row in rows]
        offset = 0.0 if stacked or len(series) == 1 else (index - (len(series) - 1) / 2) * width
        places = [p + offset for p in positions]
        color = PALETTE[index % len(PALETTE)]
        name = table.columns[column]
        if horizontal:
            ax.barh(places, values, height=width, left=base, color=color, label=name)
        else:
            ax.bar(places, values, width=width, bottom=base, color=color, label=name)
        if stacked:
            base = [b + v for b, v in zip(base, values, strict=True)]
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.xaxis.grid(True, color=GRID, linewidth=0.8)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0, labelcolor=INK)
    else:
        ax.set_xticks(positions, labels, rotation=0 if len(rows) <= 6 else 45, ha="center")
        if len(rows) > 6:
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
        ax.yaxis.grid(True, color=GRID, linewidth=0.8)
        ax.tick_params(axis="x", length=0, labelcolor=INK)
    ax.set_axisbelow(True)
    if len(series) > 1:
        ax.legend(
            frameon=False,
            fontsize=9,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=min(len(series), 3),
        )
    else:
        ax.set_title(table.columns[series[0]], fontsize=9, color=MUTED, loc="left")


def _line(ax: Axes, table: Table) -> None:
    labels = [str(row[0]) for row in table.rows]
    positions = list(range(len(labels)))
    for index, column in enumerate(table.chart_series):
        values = [_number(row[column]) for row in table.rows]
        ax.plot(
            positions,
            values,
            color=PALETTE[index % len(PALETTE)],
            linewidth=2,
            marker="o",
            markersize=3,
            label=table.columns[column],
        )
    ax.set_xticks(positions, labels, rotation=45 if len(labels) > 6 else 0)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    if len(table.chart_series) > 1:
        ax.legend(frameon=False, fontsize=9)


def _donut(ax: Axes, table: Table) -> bool:
    column = table.chart_series[0]
    shown = [(str(row[0]), _number(row[column])) for row in table.rows if _number(row[column]) > 0]
    if not shown:
        return False
    total = sum(value for _label, value in shown)
    wedges, _texts = ax.pie(
        [value for _label, value in shown],
        colors=[PALETTE[i % len(PALETTE)] for i in range(len(shown))],
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1.5},
    )
    ax.text(0, 0, f"{total:g}", ha="center", va="center", fontsize=16, color=INK)
    ax.legend(
        wedges,
        [f"{_short(label)}  {value:g}" for label, value in shown],
        frameon=False,
        fontsize=9,
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
    )
    ax.set_aspect("equal")
    return True


def _figure(table: Table) -> Figure:
    if table.chart == "hbar":
        height = max(
            2.2, 0.38 * min(len(table.rows), MAX_BARS) * max(1, len(table.chart_series) * 0.7) + 0.9
        )
        return plt.figure(figsize=(6.4, height))
    if table.chart == "donut":
        return plt.figure(figsize=(6.4, 3.0))
    return plt.figure(figsize=(6.4, 3.4))


def _finish(svg: str, label: str) -> str:
    """Keep only the ``viewBox`` and say what the chart shows."""
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # pragma: no cover - matplotlib always writes one
        raise ValueError("no <svg> element")
    tag = _SIZE.sub("", opening.group(0))
    safe = escape(label, quote=True)
    tag = tag[:-1] + f' role="img" aria-label="{safe}" preserveAspectRatio="xMidYMid meet">'
    body = _METADATA.sub("", svg[opening.end() :], count=1)
    start = svg.find("<svg")
    return f"{tag}<title>{safe}</title>{body}" if start >= 0 else svg


def render_svg(table: Table, *, empty_message: str = "–") -> str:
    """The chart of ``table`` as an ``<svg>`` element (no XML declaration)."""
    style: Any = {**STYLE, "svg.hashsalt": f"accord-{table.key}"}
    with plt.rc_context(style):
        fig = _figure(table)
        try:
            ax = fig.add_subplot()
            if not table.rows or not any(
                _number(row[column]) for row in table.rows for column in table.chart_series
            ):
                _empty(ax, empty_message)
            elif table.chart == "donut":
                _donut(ax, table)
            elif table.chart == "line":
                _line(ax, table)
            else:
                _bars(
                    ax,
                    table,
                    stacked=table.chart == "stacked",
                    horizontal=table.chart == "hbar",
                )
            fig.tight_layout(pad=0.6)
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
        finally:
            plt.close(fig)
    return _finish(buffer.getvalue(), table.title)
