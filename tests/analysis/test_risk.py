"""Risk levels: deaths and explosions outrank people trapped, which outrank complaints; reasons say why."""

from __future__ import annotations

import pytest

from analysis.risk import LEVEL_RANK, RiskInput, assess, severity_of
from config import ConfigError, config_from_mapping
from config.analysis import RiskConfig

CONFIG = RiskConfig()


def event(category="incident", terms=(), negative=0.9, engagement=50, growth=0.0, sources=1, posts=1, rumour=False):
    return RiskInput(category, terms, negative, 0.9, engagement, growth, sources, posts, rumour, "青龙街道", "施工事故")


def test_severity_tiers_follow_the_issue_order():
    assert severity_of(("死亡",), CONFIG) == 3
    assert severity_of(("爆炸", "困人"), CONFIG) == 3
    assert severity_of(("困人",), CONFIG) == 2
    assert severity_of(("投诉",), CONFIG) == 1
    assert severity_of(("宣传",), CONFIG) == 0


def test_a_fatal_accident_across_sources_is_red_and_says_why():
    risk = assess(event(terms=("死亡", "坍塌"), engagement=8000, growth=0.6, sources=3, posts=7), CONFIG)
    assert risk.level == "红"
    assert risk.reason.startswith("红色")
    assert "青龙街道施工事故" in risk.reason and "7条帖子/3个来源" in risk.reason and "死亡" in risk.reason


def test_more_severe_words_never_lower_the_level():
    levels = [assess(event(terms=terms), CONFIG).level for terms in [("投诉",), ("困人",), ("死亡",)]]
    ranks = [LEVEL_RANK[level] for level in levels]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]


def test_growth_sources_and_rumour_raise_the_score():
    base = assess(event(terms=("困人",)), CONFIG).score
    assert assess(event(terms=("困人",), growth=1.5), CONFIG).score > base
    assert assess(event(terms=("困人",), sources=3), CONFIG).score > base
    rumour = assess(event(category="rumour", terms=("爆炸",), rumour=True), CONFIG)
    assert rumour.score > assess(event(category="rumour", terms=("爆炸",)), CONFIG).score
    assert "网传" in rumour.reason


def test_a_lone_complaint_is_a_low_level():
    assert assess(event(category="complaint", terms=("投诉",), engagement=5), CONFIG).level in ("蓝", "黄")


def test_thresholds_are_validated():
    with pytest.raises(ConfigError, match="red >= orange >= yellow"):
        config_from_mapping({"analysis": {"risk": {"red": 0.2, "orange": 0.5}}})
    with pytest.raises(ConfigError, match="unknown risk weight"):
        config_from_mapping({"analysis": {"risk": {"weights": {"luck": 1.0}}}})
