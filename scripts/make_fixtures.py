"""Regenerate every source's fixtures from the labelled corpus: ``python scripts/make_fixtures.py``."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "fixtures" / "corpus" / "posts.jsonl"
SOURCES = ["weibo", "hualongxiang", "toutiao", "zhong5"]


def main() -> None:
    lines = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    for source in SOURCES:
        renderer = importlib.import_module(f"scripts.fixturegen.{source}")
        renderer.render([line for line in lines if line["source"] == source], ROOT / "fixtures" / source)
    generic = importlib.import_module("scripts.fixturegen.generic")
    generic.render(generic.load_items(), ROOT / "fixtures" / "generic")


if __name__ == "__main__":
    main()
