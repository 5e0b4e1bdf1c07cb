"""Relevance: is a post a safety/emergency matter, is it in the district, what kind of post is it, and why.

Three pieces of evidence are combined:
- the monitoring scheme's topic rules (``analysis.rules``): which incident families match, with which words;
- a learned token model (``analysis.relevance_model``), retrainable from the officers' 误报/确认 marks;
- places (``analysis.places``): district places against other districts and cities, each weighed by how
  sure a mention is (see :class:`PlaceReader`).
The post's category (incident, hazard, complaint, rumour, publicity, drill, notice, none) comes from the
category expressions in config; only incidents, hazards, complaints and rumours can raise an alert.
Topic and category words are found in one automaton pass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.places import Gazetteer
from analysis.relevance_model import RelevanceModel
from analysis.rules import Hits, RuleMatch, RuleSet
from config.analysis import AnalysisConfig

ALERTING_CATEGORIES = ("incident", "hazard", "complaint", "rumour")
DISTRICT, ELSEWHERE = "district", "elsewhere"
NAMED, PLACE, VAGUE = 3, 2, 1
"""How sure a place word is: it names the district (or another district or city), it names a street,
community or landmark, or it is vague (a road crossing districts, 火车站, the short form 经开区)."""
FIRST_MENTION_BONUS = 1
"""The place a post names first is usually where the incident is; later ones are comparisons. It also
settles a tie between the district's places and those elsewhere."""
LEAD_CHARS = 100
"""The category is read from a post's lead (its title and first sentences), where it says what it is:
an incident report that ends with a safety reminder or a campaign announcement stays an incident."""


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
    types: frozenset[str] = frozenset()
    region: str | None = None
    firm: bool = False
    """Whether the post's own places settle where it is (else its incident's place may)."""

    @property
    def alerting(self) -> bool:
        """Whether the post can raise an alert: a safety matter in the district of an alerting category."""
        return self.safety and self.in_district and self.category in ALERTING_CATEGORIES

    def located(self, place: str, in_district: bool) -> "Relevance":
        """This verdict with the place of the incident the post was grouped into."""
        where = f"{place}（{'区内' if in_district else '区外'}，据所属事件）"
        explanation = self.explanation.replace(f"地点：{_where(self.place, self.in_district)}", f"地点：{where}")
        return replace(self, place=place, in_district=self.safety and in_district, explanation=explanation)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a post is, as far as its own words tell."""

    region: str | None
    place: str | None
    firm: bool
    spots: frozenset[str]


class PlaceReader:
    """Weighs the district places a post names against the places elsewhere it names."""

    def __init__(self, gazetteer: Gazetteer, district: str) -> None:
        self.district = district
        short = district.rstrip("区县市") or district
        self._places: dict[str, tuple[str, str, int]] = {}
        for word, canonical in gazetteer.elsewhere.items():
            self._places[word] = (ELSEWHERE, canonical, _elsewhere_strength(word, canonical, gazetteer))
        for word, canonical in gazetteer.district.items():
            strength = NAMED if short in word else VAGUE if canonical == district else PLACE
            self._places[word] = (DISTRICT, canonical, strength)
        self._spot_words = frozenset(
            word for word, canonical in gazetteer.district.items()
            if word != canonical and short not in word and not canonical.startswith(word))
        self._words = frozenset(self._places)

    def locate(self, tokens: Sequence[str]) -> Location:
        if self._words.isdisjoint(tokens):
            return NOWHERE
        scores: dict[str, dict[str, int]] = {DISTRICT: {}, ELSEWHERE: {}}
        surest = {DISTRICT: 0, ELSEWHERE: 0}
        first = DISTRICT
        spots: set[str] = set()
        places = self._places
        for token in tokens:
            found = places.get(token)
            if found is None:
                continue
            region, canonical, strength = found
            surest[region] = max(surest[region], strength)
            if not scores[DISTRICT] and not scores[ELSEWHERE]:
                strength += FIRST_MENTION_BONUS
                first = region
            seen = scores[region]
            seen[canonical] = max(seen.get(canonical, 0), strength)
            if token in self._spot_words:
                spots.add(token)
        inside, outside = sum(scores[DISTRICT].values()), sum(scores[ELSEWHERE].values())
        if not inside and not outside:
            return Location(None, None, False, frozenset(spots))
        region = DISTRICT if inside > outside else ELSEWHERE if outside > inside else first
        named = scores[region]
        specific = [c for c in named if c != self.district] or list(named)
        return Location(region, specific[0], surest[region] >= PLACE, frozenset(spots))


NOWHERE = Location(None, None, False, frozenset())


def _elsewhere_strength(word: str, canonical: str, gazetteer: Gazetteer) -> int:
    if any(place != word and place.endswith(word) for place in gazetteer.district):
        return VAGUE  # a short form that also abbreviates a district place (经开区 ~ 天宁经开区)
    if canonical in (word, word + "区", word + "市") or word.endswith(("区", "市", "省", "县")):
        return NAMED
    return PLACE


class RelevanceScorer:
    """Scores posts against the configured scheme; build once, call ``score`` per post."""

    def __init__(self, config: AnalysisConfig, gazetteer: Gazetteer, model: RelevanceModel | None = None,
                 district: str = "天宁区") -> None:
        self.config = config
        self.model = model
        self.places = PlaceReader(gazetteer, district)
        self._topic_ids = {id(topic) for topic in config.topics}
        self.rules = RuleSet(list(config.topics) + config.category_rules(), exclude=config.exclude)

    def score(self, text: str, tokens: Sequence[str]) -> Relevance:
        hits = self.rules.scan(text)
        matches = [m for m in self.rules.match_hits(hits) if self._is_topic(m)] if hits else []
        if not matches:
            return UNRELATED
        terms = tuple(dict.fromkeys(term for match in matches for term in match.terms))
        rule_strength = 1.0 - math.exp(-sum(match.rule.weight for match in matches))
        learned = self.model.probability(tokens) if self.model else rule_strength
        score = round(self.config.rule_share * rule_strength + (1 - self.config.rule_share) * learned, 4)
        safety = score >= self.config.relevance_threshold
        where = self.places.locate(tokens)
        in_district = safety and where.region == DISTRICT
        category = self._category(hits, safety)
        top = max(matches, key=lambda m: m.rule.weight)
        return Relevance(
            score=score, safety=safety, in_district=in_district, category=category,
            event_type=top.rule.event_type, type_name=top.rule.name,
            place=where.place, spots=where.spots, terms=terms, rules=tuple(m.rule.name for m in matches),
            explanation=_explain(matches, terms, where.place, in_district, safety, category),
            types=frozenset(m.rule.event_type for m in matches), region=where.region, firm=where.firm,
        )

    def _is_topic(self, match: RuleMatch) -> bool:
        return id(match.rule) in self._topic_ids

    def _category(self, hits: Hits, safety: bool) -> str:
        if not safety:
            return "none"
        lead = {word: spans for word, spans in hits.items() if spans[0][0] < LEAD_CHARS}  # spans come in order
        fired = {m.rule.event_type for m in self.rules.match_hits(lead) if not self._is_topic(m)}
        for category in self.config.category_order:
            if category in fired:
                return category
        return "incident"


UNRELATED = Relevance(score=0.0, safety=False, in_district=False, category="none", event_type=None, type_name="",
                      place=None, spots=frozenset(), terms=(), rules=(), explanation="未命中安全生产/应急类规则")
"""The verdict on a post no topic rule matches (most posts): one shared object, nothing to compute."""


def _where(place: str | None, in_district: bool) -> str:
    return f"{place}（区内）" if in_district else f"{place}（区外）" if place else "地点不明"


def _explain(matches, terms, place, in_district, safety, category) -> str:
    verdict = "" if safety else "；相关度不足"
    rules = "、".join(m.rule.name for m in matches)
    where = _where(place, in_district)
    return f"命中规则：{rules}；关键词：{'、'.join(terms[:6])}；地点：{where}；类别：{CATEGORY_ZH[category]}{verdict}"


CATEGORY_ZH = {
    "incident": "事故/事件", "hazard": "隐患", "complaint": "投诉", "rumour": "传言",
    "publicity": "宣传", "drill": "演练", "notice": "通知/辟谣", "none": "无关",
}
