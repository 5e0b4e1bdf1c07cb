"""Near-duplicates: copies and reposts link to the first post; different posts about one place do not."""

from __future__ import annotations

import numpy as np

from analysis.dedup import NearDuplicateIndex, has_signature, signatures, similarity

REPORT = "常州天宁区红梅新村一居民楼楼道内电动车充电时起火，消防部门迅速到场处置，一名老人被送医，目前无生命危险。"
COPY = "【突发】常州天宁区红梅新村一居民楼楼道内电动车充电时起火！消防部门迅速到场处置，一名老人被送医，目前无生命危险"
SAME_PLACE_OTHER_NEWS = "红梅新村小区今天组织电动车充电安全宣传，社区工作人员上门发放告知书。"
UNRELATED = "今天天气很好，红梅公园的菊花开了，大家周末可以去看看。"


def test_a_copy_with_a_new_prefix_and_punctuation_is_nearly_identical():
    report, copy, other, unrelated = signatures([REPORT, COPY, SAME_PLACE_OTHER_NEWS, UNRELATED])
    assert similarity(report, copy) >= 0.85
    assert similarity(report, other) < 0.4
    assert similarity(report, unrelated) < 0.1


def test_signatures_are_stable_across_batches_and_calls():
    alone = signatures([REPORT])[0]
    in_batch = signatures([UNRELATED, "短", REPORT])[2]
    assert np.array_equal(alone, in_batch)


def test_texts_too_short_to_shingle_have_no_signature():
    short, empty, punctuation = signatures(["好的", "", "！！！。。。"])
    assert not has_signature(short) and not has_signature(empty) and not has_signature(punctuation)


def test_index_links_copies_to_the_canonical_first_post():
    sigs = signatures([REPORT, UNRELATED, COPY, "【转】" + COPY])
    index = NearDuplicateIndex()
    assert index.add("weibo:1", sigs[0]) is None
    assert index.add("zhong5:a1", sigs[1]) is None
    assert index.add("toutiao:7", sigs[2]) == "weibo:1"
    assert index.add("toutiao:8", sigs[3]) == "weibo:1"  # a copy of a copy still points at the original


def test_adding_the_same_key_again_is_idempotent():
    sigs = signatures([REPORT, COPY])
    index = NearDuplicateIndex()
    index.add("a", sigs[0])
    assert index.add("b", sigs[1]) == "a"
    assert index.add("b", sigs[1]) == "a"
    assert index.add("a", sigs[0]) is None


def test_similar_lists_candidates_above_a_threshold():
    sigs = signatures([REPORT, SAME_PLACE_OTHER_NEWS, COPY])
    index = NearDuplicateIndex()
    index.add("report", sigs[0])
    index.add("other", sigs[1])
    assert [key for key, _ in index.similar(sigs[2], 0.5)] == ["report"]


def test_exact_copies_link_to_the_canonical_post_and_are_listed_as_similar():
    sigs = signatures([REPORT, UNRELATED, REPORT, UNRELATED, REPORT])
    index = NearDuplicateIndex()
    assert index.add("weibo:1", sigs[0]) is None
    assert index.add("zhong5:a1", sigs[1]) is None
    assert index.add("toutiao:7", sigs[2]) == "weibo:1"
    assert index.add("toutiao:8", sigs[3]) == "zhong5:a1"
    assert index.add("toutiao:9", sigs[4]) == "weibo:1"
    assert "toutiao:9" in index and "weibo:2" not in index
    assert [key for key, _ in index.similar(sigs[0], 0.99)] == ["weibo:1", "toutiao:7", "toutiao:9"]
