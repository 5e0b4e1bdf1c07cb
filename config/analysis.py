"""Configuration of the analysis stage: the monitoring scheme (topic rules) and the decision thresholds."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

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


DEFAULT_CATEGORIES = {
    "drill": "演练 OR 演习 OR 模拟演示",
    "notice": "预警 OR 辟谣 OR 不实 OR 谣言 OR 通告 OR 公告 OR 温馨提示",
    "publicity": "宣传 OR 安全生产月 OR 培训 OR 讲座 OR 科普 OR 表彰 OR 进社区 OR 宣讲",
    "rumour": "网传 OR 听说 OR 据说 OR 传言 OR 有人说 OR 是真的吗",
    "complaint": "投诉 OR 反映 OR 没人管 OR 12345 OR 不作为 OR 多次",
    "hazard": "隐患 OR 私拉 OR 飞线 OR 占用 OR 堵塞 OR 裂缝 OR 危房 OR 裸露 OR 异味",
}


class RiskConfig(StrictModel):
    """Weights of the risk score's parts (each part is 0..1) and the score each level starts at."""

    red: float = Field(0.7, ge=0, le=1)
    orange: float = Field(0.5, ge=0, le=1)
    yellow: float = Field(0.3, ge=0, le=1)
    weights: dict[str, float] = Field(default_factory=lambda: {
        "severity": 0.35, "negative": 0.1, "relevance": 0.1, "engagement": 0.2,
        "growth": 0.1, "sources": 0.1, "rumour": 0.1,
    })
    severe_words: list[str] = Field(default_factory=lambda: [
        "死亡", "身亡", "遇难", "伤亡", "丧生", "爆炸", "坍塌", "垮塌", "溺亡", "重伤", "致死"])
    serious_words: list[str] = Field(default_factory=lambda: [
        "受伤", "伤者", "送医", "被困", "困人", "中毒", "烧伤", "溺水", "疏散", "泄漏", "起火", "着火", "火灾", "爆燃"])
    minor_words: list[str] = Field(default_factory=lambda: [
        "投诉", "隐患", "异味", "反映", "举报", "占用", "堵塞", "私拉", "裂缝", "积水"])

    @model_validator(mode="after")
    def _ordered(self) -> "RiskConfig":
        if not self.red >= self.orange >= self.yellow:
            raise ValueError("thresholds must satisfy red >= orange >= yellow")
        unknown = set(self.weights) - {"severity", "negative", "relevance", "engagement", "growth", "sources", "rumour"}
        if unknown:
            raise ValueError(f"unknown risk weight(s): {', '.join(sorted(unknown))}")
        return self


class AnalysisConfig(StrictModel):
    """Rules, dictionaries and thresholds; the defaults suit 天宁区 and are documented in the example config."""

    topics: list[TopicRule] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list, description="phrases whose matches are masked (traps)")
    extra_dicts: list[Path] = Field(default_factory=list, description="more jieba user dictionaries")
    categories: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CATEGORIES),
        description="category → expression; the first category in category_order whose expression holds wins",
    )
    category_order: list[str] = Field(
        default_factory=lambda: ["drill", "notice", "publicity", "rumour", "complaint", "hazard"])
    rule_share: float = Field(0.7, ge=0, le=1, description="weight of the rules against the learned model")
    relevance_model: Path | None = Field(None, description="a model from `yuqing train relevance` (default: shipped)")
    relevance_threshold: float = Field(0.5, ge=0, le=1)
    negative_threshold: float = Field(0.5, ge=0, le=1)
    event_window_hours: float = Field(72, gt=0)
    risk: RiskConfig = RiskConfig()

    @field_validator("categories")
    @classmethod
    def _category_expressions(cls, value: dict[str, str]) -> dict[str, str]:
        for name, expression in value.items():
            try:
                parse_expression(expression)
            except ExpressionError as exc:
                raise ValueError(f"category {name}: bad expression: {exc}") from None
        return value

    def category_rules(self) -> list[TopicRule]:
        """The category expressions as rules whose ``event_type`` is the category name."""
        return [TopicRule(name=name, event_type=name, expression=expr, search=False)
                for name, expr in self.categories.items()]
    generate_search_keywords: bool = Field(False, description="add topic words to every source's search keywords")
