"""Helpers for the engine tests: small sites written as replay manifests, and a config naming them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from config import Config, config_from_mapping

HTML = {"Content-Type": "text/html; charset=utf-8"}
CAPTURED_1 = "2026-11-20T10:00:00+08:00"
CAPTURED_2 = "2026-11-20T12:00:00+08:00"
NOW = datetime.fromisoformat(CAPTURED_1)


@dataclass
class Page:
    """One recorded response of a fixture site."""

    url: str
    body: str | bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: dict(HTML))
    method: str = "GET"


def write_fixture_set(root: Path, source: str, rounds: dict[int, tuple[str, dict, list[Page]]]) -> Path:
    """Write ``root/<source>/manifest.json`` and its page files; rounds map to (captured_at, config, pages)."""
    directory = root / source
    manifest: dict = {"source": source, "volatile_params": ["t"], "rounds": {}}
    for number, (captured_at, config, pages) in rounds.items():
        responses = []
        for index, page in enumerate(pages):
            name = f"r{number}/{index:03d}.bin"
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
            (directory / name).write_bytes(body)
            responses.append({"method": page.method, "url": page.url, "file": name, "status": page.status,
                              "headers": page.headers})
        manifest["rounds"][str(number)] = {"captured_at": captured_at, "config": config, "responses": responses}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return root


def write_config(path: Path, db_url: str, hosts: dict[str, str]) -> Path:
    """A config whose sources (name → host) all use the ``generic`` spider, i.e. the test's SampleSpider."""
    lines = ['timezone = "Asia/Shanghai"', "[database]", f'url = "{db_url}"', "[crawl]", "max_pages = 2"]
    for source, host in hosts.items():
        lines += [f"[sources.{source}]", 'spider = "generic"', f'feed_url = "https://{host}/feed"',
                  'boards = ["9"]', f'allowed_domains = ["{host}"]']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample_config(db_url: str = "sqlite:///:memory:", **source: Any) -> Config:
    """A validated config with one source ``alpha`` (generic spider) and the given overrides."""
    alpha = {"spider": "generic", "feed_url": "https://alpha.example/feed", "allowed_domains": ["alpha.example"],
             "keywords": ["火灾"], "boards": ["9"]} | source
    return config_from_mapping({"database": {"url": db_url}, "sources": {"alpha": alpha}})
