"""The committed weibo fixtures: rendered deterministically from the corpus, complete, and shaped as FORMATS.md says."""

from __future__ import annotations

import json
from datetime import datetime

from config import load_config
from crawlers.spiders.weibo_parse import flatten_cards, search_url
from scripts.fixturegen import weibo as renderer
from scripts.fixturegen.weibo_mblog import display_count, legacy_created_at, mid_to_bid, rfc_created_at
from weibo_support import WEIBO, corpus_lines

MANIFEST = json.loads((WEIBO / "manifest.json").read_text(encoding="utf-8"))


def generated_files(root) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for folder in ("r1", "r2") for path in sorted((root / folder).iterdir())} | {
        "manifest.json": (root / "manifest.json").read_bytes()}


def test_rendering_the_corpus_again_gives_the_committed_files(tmp_path):
    renderer.render(corpus_lines(), tmp_path)
    assert generated_files(tmp_path) == generated_files(WEIBO)


def test_every_manifest_entry_has_its_file_and_every_search_url_is_the_spider_url():
    for round_no, round_ in MANIFEST["rounds"].items():
        keywords = round_["config"]["keywords"]
        for response in round_["responses"]:
            assert (WEIBO / response["file"]).is_file(), response["file"]
            if "getIndex" in response["url"]:
                assert any(response["url"] == search_url(kw, n) for kw in keywords for n in range(1, 7))
        assert datetime.fromisoformat(round_["captured_at"]).utcoffset().total_seconds() == 8 * 3600


def test_the_rendered_keywords_are_configured_or_special():
    configured = set(load_config().sources["weibo"].keywords)
    keywords = MANIFEST["rounds"]["1"]["config"]["keywords"]
    assert set(renderer.POST_KEYWORDS) <= set(keywords)
    assert {kw for kw in keywords if kw not in configured} == {"天宁 危化品", "常州 溺水"}


def test_pages_mix_top_level_and_grouped_posts_with_user_topic_and_banner_cards():
    types, grouped = set(), 0
    for path in (WEIBO / "r1").glob("search_*.json"):
        data = json.loads(path.read_bytes())
        for card in data.get("data", {}).get("cards", []):
            types.add(card["card_type"])
            types.update(inner["card_type"] for inner in card.get("card_group", []))
            grouped += sum(inner["card_type"] == 9 for inner in card.get("card_group", []))
    assert {9, 10, 11, 8, 22} <= types and grouped > 0


def test_mblogs_carry_the_real_2022_key_set_and_region():
    real = json.loads((WEIBO / "real" / "m-weibo-cn_api-container-getIndex_containerid-107603-timeline_2022-08_one-card-excerpt.json").read_bytes())
    real_mblog = real["cards"][0]["mblog"]
    page = json.loads(next((WEIBO / "r2").glob("search_*_p1.json")).read_bytes())
    mblog = next(flatten_cards(page["data"]["cards"]))["mblog"]
    core = {"visible", "created_at", "id", "mid", "text", "source", "user", "reposts_count", "comments_count",
            "attitudes_count", "isLongText", "number_display_strategy", "region_name", "edit_config", "bid"}
    assert core <= set(real_mblog) and core <= set(mblog)
    assert set(mblog["user"]) == set(real_mblog["user"])
    assert mblog["region_name"].startswith("发布于 ")


def test_bids_dates_and_counters_follow_weibo():
    assert mid_to_bid("4804608494665869") == "M1VT3jzNX"  # pairs from the real 2022 capture
    assert mid_to_bid("4804268794315521") == "M1N39i6Fb"
    now = datetime.fromisoformat("2026-11-20T10:00:00+08:00")
    assert rfc_created_at(datetime.fromisoformat("2026-11-19T18:20:05+08:00")) == "Thu Nov 19 18:20:05 +0800 2026"
    assert legacy_created_at(datetime.fromisoformat("2026-11-19T18:20:00+08:00"), now) == "15小时前"
    assert legacy_created_at(datetime.fromisoformat("2026-11-19T08:20:00+08:00"), now) == "昨天 08:20"
    assert legacy_created_at(datetime.fromisoformat("2026-11-18T08:20:00+08:00"), now) == "11-18"
    assert [display_count(n) for n in (0, 9999, 15_234, 1_250_000)] == [0, 9999, "1.5万", "100万+"]


OLD_IDS = {line["id"] for line in corpus_lines() if line["old"]}


def test_old_posts_sit_at_the_end_of_the_last_page_of_their_keyword():
    found = set()
    for path in sorted((WEIBO / "r1").glob("search_*.json")):
        data = json.loads(path.read_bytes())
        ids = [card["mblog"]["id"] for card in flatten_cards(data.get("data", {}).get("cards", []))]
        old = [i for i, mid in enumerate(ids) if mid in OLD_IDS]
        if not old:
            continue
        found.update(ids[i] for i in old)
        assert old == list(range(len(ids) - len(old), len(ids))), path.name
        stem, page = path.stem.rsplit("_p", 1)
        assert not (path.parent / f"{stem}_p{int(page) + 1}.json").exists(), "no page after the old posts"
    assert found == OLD_IDS
