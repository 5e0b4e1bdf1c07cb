"""Risk: a level 红 / 橙 / 黄 / 蓝 for each incident, hazard, complaint or rumour, with a one-line reason.

The score weighs how severe the words are (伤亡/死亡/爆炸 > 困人/受伤 > 投诉/隐患), how negative and how
relevant the posts are, how much engagement they draw and how fast it grows between crawls, how many
sources carry the story, and whether it is a rumour (网传/听说/据说 need a quick answer). Weights and
level thresholds come from config (``analysis.risk``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from config.analysis import RiskConfig

LEVELS = ("红", "橙", "黄", "蓝")
LEVEL_RANK = {level: rank for rank, level in enumerate(reversed(LEVELS), start=1)}
"""蓝 1 < 黄 2 < 橙 3 < 红 4."""
ENGAGEMENT_DECADES = 6
"""Engagement (reposts + comments + likes + views) counts fully at 10^6, half at 10^3."""


@dataclass(frozen=True, slots=True)
class RiskInput:
    """What the level of one event depends on."""

    category: str
    severity_terms: tuple[str, ...]
    negative: float
    relevance: float
    engagement: int
    growth: float
    sources: int
    posts: int
    rumour: bool
    place: str
    type_name: str


@dataclass(frozen=True, slots=True)
class Risk:
    level: str
    score: float
    reason: str


def severity_of(terms: tuple[str, ...], config: RiskConfig) -> int:
    """0–3: the highest tier of severity words among ``terms``."""
    found = set(terms)
    for tier, words in _tiers(config):
        if found & set(words):
            return tier
    return 0


def severity_words(terms: tuple[str, ...], config: RiskConfig) -> list[str]:
    """The severity words among ``terms``, the most severe first."""
    found = set(terms)
    return [word for _, words in _tiers(config) for word in words if word in found]


def _tiers(config: RiskConfig) -> tuple[tuple[int, list[str]], ...]:
    return (3, config.severe_words), (2, config.serious_words), (1, config.minor_words)


def assess(event: RiskInput, config: RiskConfig) -> Risk:
    """Score an event and turn the score into a level and a Chinese reason."""
    tier = severity_of(event.severity_terms, config)
    parts = {
        "severity": tier / 3,
        "negative": event.negative,
        "relevance": event.relevance,
        "engagement": min(math.log10(1 + max(event.engagement, 0)) / ENGAGEMENT_DECADES, 1.0),
        "growth": min(max(event.growth, 0.0), 2.0) / 2,
        "sources": min(max(event.sources - 1, 0), 3) / 3,
        "rumour": 1.0 if event.rumour else 0.0,
    }
    weights = config.weights
    score = sum(weights.get(name, 0.0) * value for name, value in parts.items())
    score = min(max(score, 0.0), 1.0)
    level = level_for(score, config)
    return Risk(level, round(score, 3), _reason(event, tier, level, score, config))


def level_for(score: float, config: RiskConfig) -> str:
    if score >= config.red:
        return "红"
    if score >= config.orange:
        return "橙"
    if score >= config.yellow:
        return "黄"
    return "蓝"


def _reason(event: RiskInput, tier: int, level: str, score: float, config: RiskConfig) -> str:
    pieces = [f"{level}色（{score:.2f}）：{event.place or '地点不明'}{event.type_name}"]
    pieces.append(f"{event.posts}条帖子/{event.sources}个来源")
    if tier:
        pieces.append("涉及" + "、".join(severity_words(event.severity_terms, config)[:3]))
    if event.engagement:
        growth = f"，较上轮+{event.growth:.0%}" if event.growth > 0 else ""
        pieces.append(f"互动{event.engagement}{growth}")
    if event.rumour:
        pieces.append("含网传/听说等未证实信息")
    return "；".join(pieces)
