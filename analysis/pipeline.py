"""The analysis pipeline: segment → rules/relevance → sentiment → near-duplicates → events → risk.

``Analyzer.analyze`` takes a batch of posts (oldest first is not required) and returns one
:class:`PostAnalysis` per post in input order, plus the events touched. It holds the loaded models
(segmenter, sentiment, relevance) so a warm process pays their start-up once, and an event grouper
and duplicate index so that successive batches continue the same incidents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from analysis.dedup import NearDuplicateIndex, signatures
from analysis.events import Event, EventGrouper, EventPost
from analysis.places import Gazetteer, default_gazetteer, load_gazetteer
from analysis.relevance import ALERTING_CATEGORIES, DISTRICT, Relevance, RelevanceScorer
from analysis.relevance_model import RelevanceModel, default_relevance_model
from analysis.risk import LEVEL_RANK, Risk, RiskInput, assess
from analysis.segment import Segmenter, default_segmenter
from analysis.sentiment import NegativeLexicon, SentimentModel, default_lexicon, default_model
from config import Config
from storage.records import PostRecord

MODEL_VERSION_PREFIX = "analysis-2"
"""Bumped when the pipeline's decisions change, so `yuqing analyze` re-analyses what an older version stored."""
RUMOUR_SHARE = 3
"""An event counts as a rumour when at least one in this many of its posts is one (网传/听说/据说 …)."""


@dataclass(slots=True)
class PostAnalysis:
    """Everything the pipeline decided about one post (CONTRACTS.md §5 plus what storage keeps)."""

    source: str
    id: str
    relevance: Relevance
    sentiment: float
    negative: bool
    duplicate_of: str | None = None
    event: str | None = None
    level: str | None = None
    alert: bool = False
    risk_reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"

    @property
    def reason(self) -> str:
        parts = [self.relevance.explanation]
        if self.duplicate_of:
            parts.append(f"与 {self.duplicate_of} 内容重复")
        if self.risk_reason:
            parts.append(self.risk_reason)
        return "；".join(parts)

    def to_contract(self) -> dict:
        """The line of ``yuqing analyze --output`` (CONTRACTS.md §5)."""
        return {
            "id": self.id, "source": self.source, "relevance": self.relevance.score,
            "safety": self.relevance.safety, "in_district": self.relevance.in_district,
            "sentiment": round(self.sentiment, 4), "negative": self.negative, "event": self.event,
            "level": self.level, "alert": self.alert, "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class MemberSummary:
    """What an event's risk needs to remember of each of its posts (also rebuilt from stored analyses)."""

    category: str
    terms: tuple[str, ...]
    sentiment: float
    relevance: float
    in_district: bool
    type_name: str

    @classmethod
    def of(cls, result: "PostAnalysis") -> "MemberSummary":
        rel = result.relevance
        return cls(rel.category, rel.terms, result.sentiment, rel.score, rel.in_district, rel.type_name)


@dataclass(slots=True)
class EventState:
    """An event with the risk the latest batch gave it."""

    event: Event
    risk: Risk
    category: str
    in_district: bool
    type_name: str = ""
    growth: float = 0.0


@dataclass(slots=True)
class AnalysisBatch:
    posts: list[PostAnalysis]
    events: dict[str, EventState] = field(default_factory=dict)


WARM_UP_TEXT = "天宁区红梅街道一小区楼道电动车起火，消防到场扑灭，无人员伤亡。"


class Analyzer:
    """A warm analysis stage: models loaded once, incidents continued across batches."""

    def __init__(self, config: Config, *, segmenter: Segmenter | None = None,
                 sentiment: SentimentModel | None = None, lexicon: NegativeLexicon | None = None,
                 gazetteer: Gazetteer | None = None, relevance_model: RelevanceModel | None = None,
                 events: Iterable[Event] = (), members: Mapping[str, MemberSummary] | None = None) -> None:
        analysis = config.analysis
        self.config = config
        self.segmenter = segmenter or (Segmenter(analysis.extra_dicts) if analysis.extra_dicts else default_segmenter())
        self.sentiment = sentiment or default_model()
        self.lexicon = lexicon or default_lexicon()
        model = relevance_model or (RelevanceModel.load(analysis.relevance_model) if analysis.relevance_model
                                    else default_relevance_model())
        places = gazetteer or (load_gazetteer(analysis.extra_dicts) if analysis.extra_dicts else default_gazetteer())
        self.relevance = RelevanceScorer(analysis, places, model, config.district)
        self.grouper = EventGrouper(timedelta(hours=analysis.event_window_hours), events)
        self.duplicates = NearDuplicateIndex()
        self.version = f"{MODEL_VERSION_PREFIX}+{self.sentiment.version}+{model.version if model else 'rules'}"
        self._min_rank = LEVEL_RANK[config.alerts.min_level]
        self._members: dict[str, MemberSummary] = dict(members or {})
        """Summaries of the posts grouped into events (only they are ever assessed), by key."""

    def warm(self) -> None:
        """Build what the models otherwise build on first use (the batch and pair tables), on a sample text,
        so the first real batch after start-up is as fast as the rest. Changes no analysis state."""
        tokens = self.segmenter.cut(WARM_UP_TEXT)
        self.sentiment.score_batch([tokens])
        self.relevance.score(WARM_UP_TEXT, tokens)
        signatures([WARM_UP_TEXT])

    def remember_texts(self, keys: Sequence[str], texts: Sequence[str]) -> None:
        """Index already-analysed posts (oldest first) so new copies of them are found as duplicates."""
        for key, signature in zip(keys, signatures(texts)):
            self.duplicates.add(key, signature)

    def remembers(self, key: str) -> bool:
        """Whether the duplicate index holds the post (this analyzer analysed or remembered it)."""
        return key in self.duplicates

    def has_summary(self, key: str) -> bool:
        """Whether the analyzer holds the summary of an event's post (it grouped the post, or was given it)."""
        return key in self._members

    def analyze(self, records: Sequence[PostRecord], growth: Mapping[str, float] | None = None) -> AnalysisBatch:
        """Analyse a batch; ``growth`` maps ``source:id`` to engagement growth since the previous crawl."""
        texts = [f"{r.title}\n{r.text}" if r.title else r.text for r in records]
        tokens = [self.segmenter.cut(text) for text in texts]
        scores = self.sentiment.score_batch(tokens)
        results = [self._score(record, text, toks, score)
                   for record, text, toks, score in zip(records, texts, tokens, scores)]
        sigs = signatures(texts)
        touched: dict[str, Event] = {}
        for i in sorted(range(len(records)), key=lambda i: records[i].published_at):
            self._group(records[i], results[i], sigs[i], touched)
        for result in results:
            self._locate(result, touched)
        states = {eid: self.assess(event, growth or {}) for eid, event in touched.items()}
        for result in results:
            self._apply_level(result, states)
        return AnalysisBatch(results, states)

    def _score(self, record: PostRecord, text: str, tokens: list[str], classifier: float) -> PostAnalysis:
        relevance = self.relevance.score(text, tokens)
        sentiment = self.lexicon.blend(classifier, tokens)
        return PostAnalysis(record.source, record.id, relevance, sentiment, self._negative(relevance, sentiment))

    def _negative(self, relevance: Relevance, sentiment: float) -> bool:
        """负面: a safety post by what it reports — an incident, hazard, complaint or rumour, however calmly
        worded, and never publicity, a drill or a notice (辟谣 included), however alarming; another post by its
        sentiment."""
        if relevance.safety:
            return relevance.category in ALERTING_CATEGORIES
        return sentiment < self.config.analysis.negative_threshold

    def _group(self, record: PostRecord, result: PostAnalysis, signature, touched: dict[str, Event]) -> None:
        result.duplicate_of = self.duplicates.add(result.key, signature)
        rel = result.relevance
        if not (rel.safety and rel.category in ALERTING_CATEGORIES):
            return
        self._members[result.key] = MemberSummary.of(result)
        engagement = sum(c or 0 for c in record.counts())
        place = rel.place if rel.firm and rel.place != self.config.district else None
        post = EventPost(result.key, record.source, record.published_at, rel.event_type or "other", place,
                         rel.spots, signature, record.title or record.text[:40], engagement,
                         types=rel.types, region=rel.region if rel.firm else None)
        event = self.grouper.assign(post)
        result.event = event.id
        touched[event.id] = event

    def _locate(self, result: PostAnalysis, events: Mapping[str, Event]) -> None:
        """A post whose own words leave its place open takes the place of the incident it was grouped into."""
        event = events.get(result.event) if result.event else None
        if event is None or result.relevance.firm or event.region is None:
            return
        result.relevance = result.relevance.located(event.place or self.config.district, event.region == DISTRICT)
        self._members[result.key] = MemberSummary.of(result)

    def assess(self, event: Event, growth: Mapping[str, float]) -> EventState:
        """The risk of an event from its members' stored summaries, its engagement and its growth."""
        members = [self._members[key] for key in event.posts if key in self._members]
        categories = [m.category for m in members]
        category = max(sorted(set(categories)), key=categories.count) if categories else "incident"
        terms = tuple(dict.fromkeys(t for m in members for t in m.terms))
        type_name = next((m.type_name for m in members if m.type_name), "")
        event_growth = max((growth.get(key, 0.0) for key in event.posts), default=0.0)
        risk = assess(RiskInput(
            category=category, severity_terms=terms,
            negative=sum(1 - m.sentiment for m in members) / max(len(members), 1),
            relevance=max((m.relevance for m in members), default=0.0), engagement=event.engagement,
            growth=event_growth, sources=len(event.sources), posts=len(event.posts),
            rumour=categories.count("rumour") * RUMOUR_SHARE >= len(categories) > 0,
            place=event.place or min(event.spots, default=""), type_name=type_name,
        ), self.config.analysis.risk)
        return EventState(event, risk, category, any(m.in_district for m in members), type_name, event_growth)

    def add_members(self, members: Mapping[str, MemberSummary]) -> None:
        """Summaries of already-analysed posts (of events resumed from storage)."""
        self._members.update(members)

    def _apply_level(self, result: PostAnalysis, states: dict[str, EventState]) -> None:
        state = states.get(result.event) if result.event else None
        if state is None:
            return
        result.level = state.risk.level
        result.risk_reason = state.risk.reason
        result.alert = result.relevance.alerting and LEVEL_RANK[result.level] >= self._min_rank
