"""Configuration of the analysis stage: the monitoring scheme (topic rules) and the decision thresholds."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from config.expressions import ExpressionError, parse_expression, sufficient_terms
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
    "incident": "(情况通报 OR 警情通报 OR 事故通报 OR 情况说明 OR 【通报】) NOT (辟谣 OR 谣言 OR 不实 OR 网传)",
    "drill": "演练 OR 演习 OR 模拟演示 OR (模拟 NEAR/6 (起火 OR 火灾 OR 泄漏 OR 事故 OR 被困 OR 疏散 OR 逃生))",
    "notice": (
        "辟谣 OR 不实 OR 谣言 OR 造谣 OR 经核实 OR 虚假信息"  # refutations
        " OR 蓝色预警 OR 黄色预警 OR 橙色预警 OR 红色预警 OR 预警信号 OR 气象台"  # official warnings
        " OR 专项整治 OR 集中整治 OR 大排查 OR 专项行动 OR 排查整治 OR 部署 OR 工作会议 OR 通告 OR 公告"  # campaigns
        " OR 出行提示 OR 运营提示"
    ),
    "complaint": "投诉 OR 反映 OR 没人管 OR 12345 OR 不作为 OR 走过场 OR 踢皮球 OR 谁来管 OR 求管 OR 有关部门",
    "publicity": (
        "宣传 OR 安全生产月 OR 培训 OR 讲座 OR 科普 OR 表彰 OR 进社区 OR 进校园 OR 宣讲 OR 小贴士 OR 温馨提示"
        " OR 安全提示 OR 防火提示 OR 防范提示 OR 开放日 OR 投入使用 OR 正式启用 OR 免费检查 OR 免费检测"
        " OR 知识竞赛 OR 喜报 OR 获评 OR 荣获"
    ),
    "rumour": "网传 OR 听说 OR 据说 OR 传言 OR 有人说 OR 是真的吗 OR 真的假的 OR 求证",
    "hazard": "隐患 OR 私拉 OR 飞线 OR 占用 OR 堵塞 OR 裂缝 OR 危房 OR 裸露 OR 异味 OR 护栏 OR 井盖 OR 老化",
}

# the risk score's parts and their default weights; a configured weight must name one of these parts
DEFAULT_RISK_WEIGHTS = {"severity": 0.35, "negative": 0.1, "relevance": 0.1, "engagement": 0.2, "growth": 0.1,
                        "sources": 0.1, "rumour": 0.1}


class RiskConfig(StrictModel):
    """Weights of the risk score's parts (each part is 0..1) and the score each level starts at."""

    red: float = Field(0.7, ge=0, le=1)
    orange: float = Field(0.5, ge=0, le=1)
    yellow: float = Field(0.3, ge=0, le=1)
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS))
    severe_words: list[str] = Field(default_factory=lambda: [
        "死亡", "身亡", "遇难", "丧生", "殒命", "罹难", "溺亡", "重伤", "致死", "出人命", "没救过来",
        "爆炸", "坍塌", "垮塌", "倒塌"])
    serious_words: list[str] = Field(default_factory=lambda: [
        "受伤", "伤者", "轻伤", "骨折", "送医", "抢救", "ICU", "被困", "困人", "中毒", "烧伤", "溺水", "落水", "坠河",
        "坠落", "疏散", "撤离", "泄漏", "起火", "着火", "火灾", "大火", "爆燃", "闪爆"])
    minor_words: list[str] = Field(default_factory=lambda: [
        "投诉", "隐患", "异味", "反映", "举报", "占用", "堵塞", "私拉", "裂缝", "积水", "井盖", "护栏", "消防通道",
        "飞线充电", "楼道充电", "电线裸露", "故障"])

    @model_validator(mode="after")
    def _ordered(self) -> "RiskConfig":
        if not self.red >= self.orange >= self.yellow:
            raise ValueError("thresholds must satisfy red >= orange >= yellow")
        unknown = set(self.weights) - set(DEFAULT_RISK_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown risk weight(s): {', '.join(sorted(unknown))}")
        return self


def search_keywords(rules: list[TopicRule]) -> list[str]:
    """Words of the rules marked ``search`` that fire a rule on their own, for spiders' keyword searches.

    A word that only counts next to another (车 in "车 NEAR/8 撞") would fetch everything: left out,
    as are one-character words.
    """
    words: set[str] = set()
    for rule in rules:
        if rule.search:
            words |= {word for word in sufficient_terms(parse_expression(rule.expression)) if len(word) > 1}
    return sorted(words)


class AnalysisConfig(StrictModel):
    """Rules, dictionaries and thresholds; the defaults suit 天宁区 and are documented in the example config."""

    topics: list[TopicRule] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list, description="phrases whose matches are masked (traps)")
    extra_dicts: list[Path] = Field(
        default_factory=list, description="more jieba user dictionaries; their `district`/`elsewhere` lines add places")
    categories: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CATEGORIES),
        description="category → expression; the first category in category_order whose expression holds wins",
    )
    category_order: list[str] = Field(
        default_factory=lambda: ["drill", "incident", "notice", "complaint", "publicity", "rumour", "hazard"])
    rule_share: float = Field(0.8, ge=0, le=1, description="weight of the rules against the learned model")
    relevance_model: Path | None = Field(None, description="a model from `yuqing train relevance` (default: shipped)")
    relevance_threshold: float = Field(0.5, ge=0, le=1)
    negative_threshold: float = Field(
        0.5, ge=0, le=1, description="a post that is no safety matter is 负面 below this sentiment (a safety "
        "matter is 负面 when it reports an incident, hazard, complaint or rumour)")
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
