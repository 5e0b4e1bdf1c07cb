"""Pytest fixtures for the engine tests (the helpers themselves are in crawl_support.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from crawl_support import NOW, Page, sample_config, write_fixture_set
from crawlers.spiders.base import SourceSpider


@pytest.fixture
def fixture_set(tmp_path: Path) -> Callable[[str, dict[int, tuple[str, dict, list[Page]]]], Path]:
    """Write one source's fixture set under ``tmp_path/fixtures``; returns that directory."""
    root = tmp_path / "fixtures"
    return lambda source, rounds: write_fixture_set(root, source, rounds)


@pytest.fixture
def crawler_for() -> Callable[..., Any]:
    """A Scrapy crawler (not started) whose spider is a configured SourceSpider for ``alpha``."""

    def build(settings: dict | None = None, spider: SourceSpider | None = None, **source: Any) -> Any:
        crawler = get_crawler(settings_dict=settings or {})
        crawler.spider = spider or SourceSpider.for_config(sample_config(**source), NOW, source="alpha", name="sample")
        return crawler

    return build
