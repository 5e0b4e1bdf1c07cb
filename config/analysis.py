"""Configuration of the analysis stage: the monitoring scheme (topic rules) and the decision thresholds."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from config.expressions import ExpressionError, parse_expression
from config.sources import StrictModel


class TopicRule(StrictModel):
    """One monitoring topic: an event type, its keyword expression and how much a match weighs."""

    name: str = Field(description="shown in explanations, e.g. 火灾爆炸")
    event_type: str = Field(description="incident family: fire, gas, chemical, construction, traffic, …")
    expression: str = Field(description="AND / OR / NOT / NEAR/n keyword expression (config/expressions.py)")
    weight: float = Field(1.0, gt=0, le=5)
    search: bool = Field(True, description="offer this topic's words as spider search keywords")

    @field_validator("expression")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse_expression(value)
        except ExpressionError as exc:
            raise ValueError(f"bad expression: {exc}") from None
        return value


class AnalysisConfig(StrictModel):
    """Rules, dictionaries and thresholds; the defaults suit 天宁区 and are documented in the example config."""

    topics: list[TopicRule] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list, description="phrases whose matches are masked (traps)")
    extra_dicts: list[Path] = Field(default_factory=list, description="more jieba user dictionaries")
    relevance_threshold: float = Field(0.5, ge=0, le=1)
    negative_threshold: float = Field(0.5, ge=0, le=1)
    event_window_hours: float = Field(72, gt=0)
    generate_search_keywords: bool = Field(False, description="add topic words to every source's search keywords")
