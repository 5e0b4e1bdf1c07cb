"""Evaluation arithmetic: per-decision precision/recall/F1 and pairwise event scores."""

from __future__ import annotations

import pytest

from analysis.evaluate import evaluate, score_events


def scored(pid, safety=False, in_district=False, negative=False, alert=False, event=None):
    return {"id": pid, "source": "weibo", "safety": safety, "in_district": in_district, "negative": negative,
            "alert": alert, "event": event}


def label(relevance=0, negative=False, alert=False, event=None):
    return {"relevance": relevance, "negative": negative, "alert": alert, "event": event}


def test_in_district_compares_safety_and_in_district_with_relevance_two():
    posts = [scored("1", True, True), scored("2", False, True), scored("3", True, False)]
    labels = {("weibo", "1"): label(2), ("weibo", "2"): label(2), ("weibo", "3"): label(1)}
    scores = {s.metric: s for s in evaluate(posts, labels)}
    assert (scores["in_district"].tp, scores["in_district"].fp, scores["in_district"].fn) == (1, 0, 1)
    assert (scores["safety"].tp, scores["safety"].fp, scores["safety"].fn) == (2, 0, 1)
    assert scores["in_district"].recall == pytest.approx(0.5)


def test_event_scores_are_pairwise():
    posts = [scored("1", event="A"), scored("2", event="A"), scored("3", event="A"), scored("4", event="B")]
    truth = [label(event="x"), label(event="x"), label(event="y"), label(event="y")]
    score = score_events(list(zip(posts, truth)))
    # predicted pairs: 1-2, 1-3, 2-3; true pairs: 1-2, 3-4
    assert (score.tp, score.fp, score.fn) == (1, 2, 1)
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(0.5)


def test_unlabelled_posts_are_ignored_and_empty_sets_score_one():
    scores = evaluate([scored("9", alert=True)], {})
    assert all(s.tp == s.fp == s.fn == 0 and s.f1 == 1.0 for s in scores)
