"""Relevance: is a post a safety/emergency matter, is it in the district, what kind of post is it, and why.

Three pieces of evidence are combined into a score in [0, 1]:
- the monitoring scheme's topic rules (``analysis.rules``): which incident families match, with which words;
- a learned token model (``analysis.relevance_model``), retrainable from the officers' 误报/确认 marks;
- places (``analysis.places``): district places versus other districts and cities.
The post's category (incident, hazard, complaint, rumour, publicity, drill, notice, none) comes from the
category expressions in config; only incidents, hazards, complaints and rumours can raise an alert.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.places import Gazetteer
from analysis.relevance_model import RelevanceModel
from analysis.rules import RuleSet
from config.analysis import AnalysisConfig

ALERTING_CATEGORIES = ("incident", "hazard", "complaint", "rumour")


@dataclass(frozen=True, slots=True)
class Relevance:
    """The relevance verdict on one post, with its explanation."""

    score: float
    safety: bool
    in_district: bool
    category: str
    event_type: str | None
    type_name: str
    place: str | None
    spots: frozenset[str]
    terms: tuple[str, ...]
    rules: tuple[str, ...]
    explanation: str

    @property
    def alerting(self) -> bool:
        """Whether the post can raise an alert: a safety matter in the district of an alerting category."""
        return self.safety and self.in_district and self.category in ALERTING_CATEGORIES


class RelevanceScorer:
    """Scores posts against the configured scheme; build once, call ``score`` per post."""

    def __init__(self, config: AnalysisConfig, gazetteer: Gazetteer, model: RelevanceModel | None = None,
                 district: str = "天宁区") -> None:
        self.config = config
        self.gazetteer = gazetteer
        self.model = model
        self.district = district
        self.topics = RuleSet(config.topics, exclude=config.exclude)
        self.categories = RuleSet(config.category_rules(), exclude=config.exclude)

    def score(self, text: str, tokens: Sequence[str]) -> Relevance:
        matches = self.topics.match(text)
        terms = tuple(dict.fromkeys(term for match in matches for term in match.terms))
        rule_strength = 1.0 - math.exp(-sum(match.rule.weight for match in matches))
        learned = self.model.probability(tokens) if self.model else rule_strength
        score = round(self.config.rule_share * rule_strength + (1 - self.config.rule_share) * learned, 4)
        safety = bool(matches) and score >= self.config.relevance_threshold
        district, elsewhere = self.gazetteer.district_places(tokens), self.gazetteer.elsewhere_places(tokens)
        in_district = safety and _in_district(district, elsewhere)
        place = (district[0] if in_district and district else elsewhere[0] if elsewhere else
                 district[0] if district else None)
        category = self._category(text, safety)
        top = max(matches, key=lambda m: m.rule.weight, default=None)
        return Relevance(
            score=score, safety=safety, in_district=in_district, category=category,
            event_type=top.rule.event_type if top else None, type_name=top.rule.name if top else "",
            place=place, spots=frozenset(t for t in tokens if t in self.gazetteer.district and t != place),
            terms=terms, rules=tuple(m.rule.name for m in matches),
            explanation=_explain(matches, terms, place, in_district, safety, category),
        )

    def _category(self, text: str, safety: bool) -> str:
        if not safety:
            return "none"
        fired = {match.rule.event_type for match in self.categories.match(text)}
        for category in self.config.category_order:
            if category in fired:
                return category
        return "incident"


def _in_district(district: list[str], elsewhere: list[str]) -> bool:
    """In the district when it names district places and no more places elsewhere than in the district."""
    return bool(district) and len(district) >= len(elsewhere)


def _explain(matches, terms, place, in_district, safety, category) -> str:
    if not matches:
        return "未命中安全生产/应急类规则"
    where = f"{place}（区内）" if in_district else f"{place}（区外）" if place else "地点不明"
    verdict = "" if safety else "；相关度不足"
    rules = "、".join(m.rule.name for m in matches)
    return f"命中规则：{rules}；关键词：{'、'.join(terms[:6])}；地点：{where}；类别：{CATEGORY_ZH[category]}{verdict}"


CATEGORY_ZH = {
    "incident": "事故/事件", "hazard": "隐患", "complaint": "投诉", "rumour": "传言",
    "publicity": "宣传", "drill": "演练", "notice": "通知/辟谣", "none": "无关",
}
