"""Topic rules: expressions parse with clear errors and match posts through one automaton."""

from __future__ import annotations

import pytest

from analysis.rules import RuleSet, triggers
from config import ConfigError, config_from_mapping
from config.analysis import TopicRule
from config.expressions import ExpressionError, parse_expression


def rule(expression: str, name: str = "t", event_type: str = "fire") -> TopicRule:
    return TopicRule(name=name, event_type=event_type, expression=expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("起火 AND", "expression ends where a word or '(' was expected"),
        ("(起火 OR 着火", "'(' at column 1 is never closed"),
        ("OR 起火", "expected a word or '(' at column 1, found 'OR'"),
        ("起火 )", "unexpected ')' at column 4"),
        ('"燃气 泄漏', "unclosed quote at column 1"),
        ("电梯 NEAR/5 (困人 AND 被困)", "NEAR at column 4 needs words or OR-groups"),
        ("", "empty expression"),
    ],
)
def test_bad_expressions_say_where_and_what(expression, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(expression)


def test_a_bad_rule_fails_when_the_config_loads_with_its_key_path():
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"analysis": {"topics": [{"name": "火", "event_type": "fire", "expression": "(起火"}]}})
    assert "analysis.topics.0.expression" in str(caught.value)
    assert "never closed" in str(caught.value)


def test_and_or_not_and_symbols():
    rules = RuleSet([rule("(起火 OR 着火) AND NOT (游戏 OR 演练)"), rule("燃气 + 泄漏 | 煤气 - 演练", "gas", "gas")])
    assert [m.rule.name for m in rules.match("红梅新村一楼道电动车起火")] == ["t"]
    assert rules.match("消防演练：模拟楼道起火") == []
    assert [m.rule.name for m in rules.match("关河东路一饭店燃气泄漏")] == ["gas"]
    assert [m.rule.name for m in rules.match("老小区煤气管道老化")] == ["gas"]


def test_juxtaposed_words_are_anded():
    rules = RuleSet([rule("电梯 困人")])
    assert rules.match("兰园小区电梯困人半小时")
    assert not rules.match("电梯年检通知")


def test_near_requires_both_words_within_the_distance():
    rules = RuleSet([rule("电梯 NEAR/8 (困人 OR 被困)")])
    assert rules.match("电梯突然停了，三人被困")  # 7 characters between 电梯 and 被困
    assert rules.match("被困在电梯里")
    assert not rules.match("电梯突然停在半空中很久之后有人被困")  # 14 characters apart


def test_matches_report_the_positive_words_that_fired():
    rules = RuleSet([rule("(起火 OR 爆炸 OR 浓烟) AND NOT 游戏")])
    [match] = rules.match("仓库爆炸后冒出浓烟")
    assert match.terms == ("浓烟", "爆炸")


def test_exclusion_phrases_mask_the_words_inside_them():
    rules = RuleSet([rule("爆炸 OR 火爆")], exclude=["爆炸特效", "火爆全网"])
    assert not rules.match("这款游戏的爆炸特效火爆全网")
    assert rules.match("爆炸特效之外，工地真的发生了爆炸")


def test_matching_is_case_insensitive_for_latin_words():
    rules = RuleSet([rule("LNG AND 泄漏")])
    assert rules.match("一辆lng槽车泄漏")


def test_search_keywords_come_from_searchable_rules_without_negated_words():
    rules = RuleSet([
        rule("(起火 OR 着火) AND NOT 游戏"),
        TopicRule(name="x", event_type="x", expression="股市", search=False),
    ])
    assert rules.search_keywords() == ["着火", "起火"]


def test_search_keywords_are_words_that_fire_a_rule_alone():
    rules = RuleSet([rule("车祸 OR (车 NEAR/8 撞)"), rule("电梯 NEAR/8 (困人 OR 被困)"), rule("火 OR 起火")])
    assert rules.search_keywords() == ["起火", "车祸"]


def test_rules_are_looked_at_only_when_their_rarest_words_occur():
    assert triggers(parse_expression("车 NEAR/8 (撞倒 OR 撞上)")) == {"撞倒", "撞上"}
    assert triggers(parse_expression("(燃气 OR 煤气) AND (泄漏 OR 漏气)")) in ({"燃气", "煤气"}, {"泄漏", "漏气"})
    assert triggers(parse_expression("起火 OR NOT 演练")) is None
    rules = RuleSet([rule("车 NEAR/8 (撞倒 OR 撞上)", "traffic", "traffic")])
    assert [m.terms for m in rules.match("一辆渣土车右转撞倒两辆电动车")] == [("撞倒", "车")]
    assert rules.match("车来了") == []


def test_a_match_names_only_the_words_that_made_it_hold():
    rules = RuleSet([rule("起火 OR (车 NEAR/4 撞)")])
    assert rules.match("车站那边起火了，路上我又撞见了老同学")[0].terms == ("起火",)
    assert rules.match("一辆车撞了护栏")[0].terms == ("撞", "车")
