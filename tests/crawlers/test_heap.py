"""The start-up heap is frozen while engines run and handed back to the collector when the last one stops."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy.utils.test import get_crawler

from crawlers.extensions.heap import CRAWL_GC_THRESHOLD, FrozenStartupHeap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_made_before_the_engine_starts_are_frozen_until_it_stops(unfrozen: None) -> None:
    extension = FrozenStartupHeap.from_crawler(get_crawler())
    extension.engine_started()
    assert gc.get_freeze_count() > 0
    extension.engine_stopped()
    assert gc.get_freeze_count() == 0


def test_the_heap_stays_frozen_until_the_last_engine_of_the_process_stops(unfrozen: None) -> None:
    first, second = (FrozenStartupHeap.from_crawler(get_crawler()) for _ in range(2))
    first.engine_started()
    second.engine_started()
    first.engine_stopped()
    assert gc.get_freeze_count() > 0
    second.engine_stopped()
    assert gc.get_freeze_count() == 0


def test_an_engine_that_never_started_does_not_unfreeze_the_others(unfrozen: None) -> None:
    running, idle = (FrozenStartupHeap.from_crawler(get_crawler()) for _ in range(2))
    running.engine_started()
    idle.engine_stopped()
    assert gc.get_freeze_count() > 0
    running.engine_stopped()
    assert gc.get_freeze_count() == 0


def test_the_young_generation_is_collected_less_often_while_engines_run(unfrozen: None) -> None:
    before = gc.get_threshold()
    first, second = (FrozenStartupHeap.from_crawler(get_crawler()) for _ in range(2))
    first.engine_started()
    second.engine_started()
    assert gc.get_threshold() == CRAWL_GC_THRESHOLD
    first.engine_stopped()
    assert gc.get_threshold() == CRAWL_GC_THRESHOLD
    second.engine_stopped()
    assert gc.get_threshold() == before
