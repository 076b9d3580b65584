"""The status chart of a report: shown status per office (or per unit), as stacked bars.

``chart_data`` takes the report's groups (office or unit totals from the status run)
and gives the series the chart draws; ``render_chart`` draws them with matplotlib
(Agg, no display) into a PNG, in the status colours of ``SHOWN_STYLE`` and the
report's font: Times New Roman, or Liberation Serif (metric-compatible, with the
Vietnamese glyphs) where Times New Roman is not installed, else DejaVu Serif
(shipped with matplotlib).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Protocol

from dondoc.domain.status import Shown

# Left to right in each bar: done first, then open, then the rest (the order of the tables).
CHART_ORDER = (
    Shown.DONE_ON_TIME, Shown.DONE_LATE, Shown.ON_TRACK, Shown.DUE_SOON, Shown.OVERDUE, Shown.UNSET, Shown.AWAITING,
    Shown.CONTINUOUS,
)
FONTS = ("Times New Roman", "Liberation Serif", "DejaVu Serif")  # the first installed one draws the chart
LABEL_WIDTH = 30  # characters per line of a category label


class Totals(Protocol):
    name: str
    totals: dict[str, int]


@dataclass(frozen=True)
class ChartData:
    categories: list[str]  # one bar each, top to bottom
    series: dict[Shown, list[int]]  # per status, one count per category
    omitted: int = 0  # categories left out (beyond the limit)

    @property
    def bar_totals(self) -> list[int]:
        return [sum(values[i] for values in self.series.values()) for i in range(len(self.categories))]

    @property
    def drawn(self) -> list[Shown]:
        """The statuses with at least one item: the segments and the legend."""
        return [s for s in CHART_ORDER if any(self.series[s])]


def chart_data(groups: Iterable[Totals], *, limit: int | None = None) -> ChartData:
    """The chart's series from group totals, in the groups' order.

    With more groups than ``limit``, those with the most overdue items (then the most
    items) are kept, still in their original order; ``omitted`` says how many were left out.
    """
    groups = list(groups)
    omitted = 0
    if limit is not None and len(groups) > limit:
        ranked = sorted(range(len(groups)),
                        key=lambda i: (-groups[i].totals[Shown.OVERDUE.value], -sum(groups[i].totals.values()), i))
        keep = sorted(ranked[:limit])
        omitted = len(groups) - limit
        groups = [groups[i] for i in keep]
    return ChartData(
        categories=[g.name for g in groups],
        series={s: [g.totals[s.value] for g in groups] for s in CHART_ORDER},
        omitted=omitted,
    )


VIETNAMESE = "ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹĂăĐđĨĩŨũƠơƯư"


def chart_font(text: str = "") -> str:
    """The first of FONTS installed here with a glyph for every Vietnamese letter (and for ``text``).

    An old Liberation Serif (1.x) has no "ế", "ư", "ụ": DejaVu Serif then draws the chart.
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    needed = {ord(c) for c in VIETNAMESE + text if not c.isspace()}
    for name in FONTS:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
            if needed <= set(FT2Font(path).get_charmap()):
                return name
        except (ValueError, OSError, RuntimeError):
            continue
    return FONTS[-1]


def render_chart(data: ChartData, path: str | Path | None = None, *, title: str | None = None,
                 value_label: str = "Số nhiệm vụ") -> bytes:
    """Draw the stacked horizontal bars; return the PNG (and write it to ``path`` if given)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = max(len(data.categories), 1)
    height = 1.3 + 0.34 * n + (0.3 if title else 0)
    with rc_context({"font.family": chart_font("".join(data.categories) + (title or "") + value_label), "font.size": 10, "svg.fonttype": "none"}):
        fig = Figure(figsize=(7.0, height), dpi=150)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        positions = list(range(len(data.categories)))
        left = [0] * len(data.categories)
        for status in data.drawn:
            values = data.series[status]
            ax.barh(positions, values, left=left, color=status.hex, label=status.label, height=0.7,
                    edgecolor="white", linewidth=0.5)
            left = [a + b for a, b in zip(left, values)]
        for y, total in zip(positions, data.bar_totals):
            ax.text(total, y, f" {total}", va="center", ha="left", fontsize=9)
        ax.set_yticks(positions, [textwrap.fill(c, LABEL_WIDTH) for c in data.categories])
        ax.set_xlabel(value_label)
        ax.set_xlim(0, max(data.bar_totals, default=0) * 1.12 + 1)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", linewidth=0.4, alpha=0.5)
        ax.set_axisbelow(True)
        if title:
            ax.set_title(title, fontsize=10)
        ax.set_ylim(len(data.categories) - 0.5, -0.5)
        fig.tight_layout()
        if data.drawn:  # below the axis title, whatever the height: 0.55 in under the axes
            axes_inches = ax.get_position().height * height
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.55 / axes_inches), ncol=4, frameon=False, fontsize=9)
        buffer = BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.05)
    png = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(png)
    return png
