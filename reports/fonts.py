"""A chart font with Chinese glyphs: find it among the system's fonts and prove matplotlib really uses it.

Never silent tofu: a font counts only when its character map holds the glyphs, checked with FreeType
(``matplotlib.ft2font``) on the very file ``font_manager.findfont`` resolves the family to — what
matplotlib will draw with. Fonts installed after matplotlib built its font cache are picked up too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

log = logging.getLogger(__name__)
SAMPLE = "舆情周报天宁区负面涉安全帖子来源微博今日头条化龙巷中吴网区内区外周一二三四五六日"
INSTALL_HINT = "请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）后重新生成"


@dataclass(frozen=True)
class ChartFont:
    """The family the charts ask for and the font file (and face) matplotlib resolves it to."""

    family: str
    path: str
    face_index: int = 0


def find_cjk_font(preferences: Sequence[str]) -> ChartFont | None:
    """The first preferred family with Chinese glyphs, else any installed font that has them, else None."""
    for entries in (lambda: _preferred(preferences), _known, _newly_installed):
        for family in dict.fromkeys(entry.name for entry in entries()):
            font = resolve(family)
            if font is not None and missing_glyphs(font, SAMPLE) == "":
                return font
    log.warning("没有找到含中文字形的字体，图表将从略；%s", INSTALL_HINT)
    return None


def resolve(family: str) -> ChartFont | None:
    """The file matplotlib draws ``family`` with (no fallback to its default font), or None."""
    try:
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return None
    return ChartFont(family, str(found), _face_index(str(found), family, getattr(found, "face_index", None)))


def _face_index(path: str, family: str, given: int | None) -> int:
    if given is not None:
        return int(given)
    for entry in font_manager.fontManager.ttflist:
        if entry.fname == path and entry.name == family:
            return int(getattr(entry, "index", 0) or 0)
    return 0


def missing_glyphs(font: ChartFont, text: str) -> str:
    """The characters of ``text`` (other than spaces) that ``font`` has no glyph for."""
    charmap = _charmap(font.path, font.face_index)
    return "".join(dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in charmap))


@lru_cache(maxsize=32)
def _charmap(path: str, face_index: int) -> frozenset[int]:
    try:
        return frozenset(FT2Font(path, face_index=face_index).get_charmap())
    except (OSError, RuntimeError, ValueError) as exc:
        log.warning("字体文件 %s 无法读取：%s", path, exc)
        return frozenset()


def _preferred(preferences: Sequence[str]) -> Iterable[font_manager.FontEntry]:
    by_name = {entry.name: entry for entry in font_manager.fontManager.ttflist}
    return [by_name[name] for name in preferences if name in by_name]


def _known() -> Iterable[font_manager.FontEntry]:
    return list(font_manager.fontManager.ttflist)


def _newly_installed() -> Iterable[font_manager.FontEntry]:
    """System fonts missing from matplotlib's cached list (installed later), added to its font manager."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return [entry for entry in font_manager.fontManager.ttflist if entry.fname not in known]
