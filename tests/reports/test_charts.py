"""Charts draw Chinese in a font that really has the glyphs; without one they are left out, never tofu."""

from __future__ import annotations

import warnings
from datetime import date

import matplotlib
import pytest

from reports import charts
from reports.fonts import SAMPLE, find_cjk_font, missing_glyphs, resolve
from reports.queries import PostCounts

PNG = b"\x89PNG\r\n\x1a\n"
NAMES = {"weibo": "微博", "hualongxiang": "化龙巷"}


def counts() -> PostCounts:
    days = {date(2026, 11, 16 + n): {} for n in range(7)}
    days[date(2026, 11, 18)] = {"hualongxiang": 3, "weibo": 5}
    return PostCounts(total=8, by_source={"hualongxiang": 3, "weibo": 5}, by_day=days, analysed=8, safety=6,
                      safety_negative=4, in_district=5, elsewhere=1, in_district_negative=4)


@pytest.fixture(scope="module")
def cjk_font(shipped_config):
    font = find_cjk_font(shipped_config.reports.fonts.chart)
    if font is None:
        pytest.fail("No installed font has Chinese glyphs, so the report charts would be left out. "
                    "Install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; scripts/setup.sh does) and rerun.",
                    pytrace=False)
    return font


def test_the_chart_font_is_the_file_matplotlib_resolves_and_it_has_every_chinese_glyph(cjk_font):
    assert resolve(cjk_font.family) == cjk_font
    assert missing_glyphs(cjk_font, SAMPLE + "各来源每日帖子数情感分布条周一二三四五六日") == ""


def test_a_preferred_font_without_chinese_glyphs_is_passed_over(cjk_font):
    chosen = find_cjk_font(["DejaVu Sans", cjk_font.family])
    assert chosen is not None and chosen.family != "DejaVu Sans"
    assert missing_glyphs(resolve("DejaVu Sans"), "舆情") == "舆情"


def test_the_three_charts_render_without_missing_glyph_warnings(cjk_font):
    drawn = charts.render_charts(counts(), NAMES, [cjk_font.family])
    assert set(drawn.images) == {"trend", "sentiment", "district"}
    assert all(png.startswith(PNG) for png in drawn.images.values())
    assert drawn.font == cjk_font
    assert (drawn.missing_glyphs, drawn.notices) == ([], [])


def test_the_missing_glyph_check_catches_tofu_in_a_latin_font():
    missing: list[str] = []
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        charts._png(lambda fig: fig.subplots().set_title("舆情"), (2, 1), missing)
    assert any("missing from font" in message for message in missing)


def test_without_a_chinese_font_the_charts_are_left_out_with_a_notice(monkeypatch):
    monkeypatch.setattr(charts, "find_cjk_font", lambda preferences: None)
    drawn = charts.render_charts(counts(), NAMES, ["Noto Sans CJK SC"])
    assert drawn.images == {}
    assert len(drawn.notices) == 1 and "fonts-noto-cjk" in drawn.notices[0] and "图表从略" in drawn.notices[0]
