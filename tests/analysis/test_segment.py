"""The segmenter: rjieba cuts exactly like jieba (HMM off, same dictionary) and keeps domain words whole."""

import os
import random
from pathlib import Path

import jieba
import pytest

from analysis.segment import DOMAIN_DICTS, Segmenter, default_segmenter, parse_dict_line, read_dict_files

BENCH_POSTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bench_posts_3000.tsv"


def bench_texts() -> list[str]:
    with open(BENCH_POSTS, encoding="utf-8") as lines:
        next(lines)
        return [line.rstrip("\n").split("\t", 1)[1] for line in lines]


def domain_texts(count: int) -> list[str]:
    """Sentences that put domain words next to each other and next to ordinary text."""
    words = [entry.word for entry in read_dict_files(DOMAIN_DICTS)]
    fillers = ["发生", "附近", "今天下午", "的", "了", "，", "有人说", "居民反映", "一辆", "在", "！"]
    rng = random.Random(3)
    return ["".join(rng.choice(words + fillers) for _ in range(rng.randint(3, 12))) for _ in range(count)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> jieba.Tokenizer:
    """Plain jieba loading jieba's dict.txt merged with the segmenter's domain words, HMM off."""
    merged = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
        for line in lines:
            word, freq, tag = line.split()
            merged[word] = (int(freq), tag)
    for entry in default_segmenter().entries.values():
        merged[entry.word] = (entry.freq, entry.tag or "x")
    path = tmp_path_factory.mktemp("dict") / "merged.txt"
    path.write_text("".join(f"{w} {f} {t}\n" for w, (f, t) in merged.items()), encoding="utf-8")
    tokenizer = jieba.Tokenizer(dictionary=str(path))
    tokenizer.tmp_dir = str(path.parent)
    return tokenizer


def test_fast_backend_cuts_real_posts_exactly_like_jieba(reference):
    texts = bench_texts()
    assert len(texts) == 3000
    segmenter = default_segmenter()
    differing = [t for t in texts if segmenter.cut(t) != reference.lcut(t, HMM=False)]
    assert differing == []


def test_fast_backend_cuts_domain_heavy_text_exactly_like_jieba(reference):
    segmenter = default_segmenter()
    differing = [t for t in domain_texts(2000) if segmenter.cut(t) != reference.lcut(t, HMM=False)]
    assert differing == []


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("红梅新村电动车充电起火", ["红梅新村", "电动车充电", "起火"]),
        ("茶山街道丽华新村燃气泄漏", ["茶山街道", "丽华新村", "燃气泄漏"]),
        ("关河东路一辆渣土车侧翻", ["关河东路", "渣土车"]),
        ("郑陆镇焦溪古镇游客溺水", ["郑陆镇", "焦溪古镇", "溺水"]),
        ("武进区湖塘镇一带化工异味很重", ["武进区", "湖塘镇", "化工异味"]),
        ("有限空间作业中毒窒息，电梯困人", ["有限空间作业", "中毒窒息", "电梯困人"]),
        ("消防通道被堵塞，危化品车辆停在天宁寺旁", ["消防通道", "危化品车辆", "天宁寺"]),
    ],
)
def test_domain_words_stay_whole(text, whole):
    tokens = default_segmenter().cut(text)
    assert "".join(tokens) == text
    assert [w for w in whole if w in tokens] == whole


def test_ordinary_text_is_not_glued_to_place_names():
    assert default_segmenter().cut("广东青年在红梅公园赏花") == ["广东", "青年", "在", "红梅公园", "赏花"]


def test_operator_dictionary_adds_words_with_and_without_frequency(tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("# local words\n北塘河畔小区 500 district 青龙街道\n天宁夜巡队\n", encoding="utf-8")
    segmenter = Segmenter(extra_dicts=[extra])
    assert "北塘河畔小区" in segmenter.cut("北塘河畔小区积水")
    assert "天宁夜巡队" in segmenter.cut("天宁夜巡队到场")
    assert segmenter.entries["天宁夜巡队"].freq > 0
    assert "天宁夜巡队" not in default_segmenter().cut("天宁夜巡队到场")


def test_dictionary_lines_parse_like_jieba_userdict_plus_canonical():
    assert parse_dict_line("红梅新村 300 district 红梅街道").canonical == "红梅街道"
    assert parse_dict_line("危化品 300 n") == parse_dict_line("危化品 300 n 危化品")
    assert parse_dict_line("危化品").freq is None
    assert parse_dict_line("# comment") is None
    assert parse_dict_line("   ") is None


def test_shipped_dictionaries_are_sizeable_and_have_frequencies():
    entries = read_dict_files(DOMAIN_DICTS)
    assert len(entries) > 600
    assert all(e.freq and e.tag for e in entries)
    assert os.path.basename(DOMAIN_DICTS[0]) == "safety.txt"
