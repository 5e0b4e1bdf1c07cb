"""The briefing's charts (matplotlib, Agg, no pyplot state): daily trend by source, sentiment, in-district split.

Charts are drawn only in a font proven to hold Chinese glyphs (``reports.fonts``), and each PNG is checked
again while it is written: matplotlib's own "Glyph … missing" warnings are collected. Without a CJK font
the charts are left out and the report says so — the tables carry the same figures.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import matplotlib
from matplotlib.figure import Figure

from reports.fonts import INSTALL_HINT, ChartFont, find_cjk_font
from reports.queries import PostCounts
from reports.text import day_label, share

log = logging.getLogger(__name__)
COLOURS = ["#c0392b", "#2e86c1", "#d68910", "#229954", "#7d3c98", "#566573", "#a04000", "#148f77"]
DPI = 150
SIZES = {"trend": (7.2, 3.6), "sentiment": (7.2, 2.2), "district": (7.2, 2.2)}  # inches


@dataclass
class Charts:
    """PNG images by name (``trend``, ``sentiment``, ``district``), the font used, and notices for the reader."""

    images: dict[str, bytes] = field(default_factory=dict)
    font: ChartFont | None = None
    notices: list[str] = field(default_factory=list)
    missing_glyphs: list[str] = field(default_factory=list)


CAPTIONS = {"trend": "图1 各来源每日帖子数", "sentiment": "图2 涉安全帖子情感分布", "district": "图3 涉安全帖子区内外分布"}


def render_charts(counts: PostCounts, source_names: dict[str, str], fonts: Sequence[str]) -> Charts:
    """Draw the three charts of a report period, or none (with a notice) when no font has Chinese glyphs."""
    font = find_cjk_font(fonts)
    if font is None:
        return Charts(notices=[f"注：本机未找到中文字体，图表从略（数据见表格）；{INSTALL_HINT}。"])
    charts = Charts(font=font)
    drawings: dict[str, Callable[[Figure], None]] = {
        "trend": lambda fig: _trend(fig, counts, source_names),
        "sentiment": lambda fig: _bars(fig, ["负面", "非负面"], [counts.safety_negative, counts.safety_not_negative],
                                       "涉安全帖子情感分布", ["#c0392b", "#2e86c1"]),
        "district": lambda fig: _bars(fig, ["区内", "区外"], [counts.in_district, counts.elsewhere],
                                      "涉安全帖子区内外分布", ["#d68910", "#566573"]),
    }
    with matplotlib.rc_context({"font.family": [font.family, "DejaVu Sans"], "axes.unicode_minus": False}):
        for name, draw in drawings.items():
            charts.images[name] = _png(draw, SIZES[name], charts.missing_glyphs)
    if charts.missing_glyphs:
        log.warning("图表缺少字形：%s", "；".join(charts.missing_glyphs))
        charts.notices.append(f"注：图表字体 {font.family} 缺少部分字形，个别文字可能显示为方框。")
    return charts


def _png(draw: Callable[[Figure], None], size: tuple[float, float], missing: list[str]) -> bytes:
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    draw(figure)
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(out, format="png", dpi=DPI)
    missing.extend(str(w.message) for w in caught if "missing from font" in str(w.message))
    return out.getvalue()


def _trend(figure: Figure, counts: PostCounts, source_names: dict[str, str]) -> None:
    axes = figure.subplots()
    days = list(counts.by_day)
    labels = [day_label(day) for day in days]
    bottom = [0] * len(days)
    for index, source in enumerate(counts.by_source):
        values = [counts.by_day[day].get(source, 0) for day in days]
        axes.bar(labels, values, bottom=bottom, label=source_names.get(source, source),
                 color=COLOURS[index % len(COLOURS)], width=0.6)
        bottom = [b + v for b, v in zip(bottom, values)]
    axes.set_title("各来源每日帖子数")
    axes.set_ylabel("帖子数（条）")
    if counts.by_source:
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


def _bars(figure: Figure, labels: list[str], values: list[int], title: str, colours: list[str]) -> None:
    axes = figure.subplots()
    bars = axes.barh(labels, values, color=colours, height=0.5)
    total = sum(values)
    axes.bar_label(bars, labels=[f"{v} 条（{share(v, total)}）" for v in values], padding=4, fontsize=9)
    axes.set_title(title)
    axes.set_xlabel("帖子数（条）")
    axes.set_xlim(0, max(values + [1]) * 1.35)
    axes.invert_yaxis()
    axes.spines[["top", "right"]].set_visible(False)
