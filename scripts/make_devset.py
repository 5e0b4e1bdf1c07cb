"""Write the labelled development set (CONTRACTS.md §1 posts + §5 labels) from the fixture corpus.

    .venv/bin/python scripts/make_devset.py      # → fixtures/corpus/devset_posts.jsonl, devset_labels.jsonl

Then: yuqing eval --input fixtures/corpus/devset_posts.jsonl --labels fixtures/corpus/devset_labels.jsonl
Posts beyond the crawl window ("old") are kept: the analysis must judge them too.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
URLS = {
    "weibo": "https://m.weibo.cn/detail/{id}",
    "toutiao": "https://www.toutiao.com/article/{id}/",
    "hualongxiang": "https://www.hualongxiang.com/read.php?tid={id}",
    "a": "http://www.zhong5.cn/article-{num}-1.html",
    "t": "http://www.zhong5.cn/thread-{num}-1-1.html",
}


def url_of(post: dict) -> str:
    if post["source"] == "zhong5":
        return URLS[post["id"][0]].format(num=post["id"][1:])
    return URLS[post["source"]].format(id=post["id"])


def record_of(post: dict) -> dict:
    return {
        "id": post["id"], "source": post["source"], "url": url_of(post), "title": post["title"],
        "text": post["text"], "author": post["author"], "published_at": post["published_at"],
        "reposts": post["reposts"], "comments": post["comments"], "likes": post["likes"], "views": post["views"],
    }


def main() -> None:
    posts = [json.loads(line) for line in (CORPUS / "posts.jsonl").read_text(encoding="utf-8").splitlines() if line]
    with open(CORPUS / "devset_posts.jsonl", "w", encoding="utf-8") as out:
        for post in posts:
            out.write(json.dumps(record_of(post), ensure_ascii=False) + "\n")
    with open(CORPUS / "devset_labels.jsonl", "w", encoding="utf-8") as out:
        for post in posts:
            out.write(json.dumps({"id": post["id"], "source": post["source"], **post["labels"]}, ensure_ascii=False) + "\n")
    print(f"{len(posts)} posts → {CORPUS / 'devset_posts.jsonl'}, {CORPUS / 'devset_labels.jsonl'}")


if __name__ == "__main__":
    main()
