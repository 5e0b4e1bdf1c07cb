"""``FrozenStartupHeap``: keep Python's garbage collector off the objects a crawl process made before crawling,
and off the crawl's short-lived objects most of the time.

A crawl allocates millions of short-lived objects (requests, responses, selectors, items) on top of a large
long-lived heap (Scrapy, Twisted, SQLAlchemy, pydantic, the config, replay manifests). Every full collection
walks that whole heap again — about a tenth of a replay's CPU time. ``gc.freeze()`` when an engine starts
moves the heap out of the collector's way (objects are still freed by reference counting); ``gc.unfreeze()``
when the last engine of the process stops hands it back, so a crawl run inside another process (a test)
leaves the collector as it found it. While engines run, the youngest generation is also collected every
``CRAWL_GC_THRESHOLD[0]`` allocations instead of every 700: nearly all of a crawl's objects die young by
reference counting, and collecting them that often cost another tenth of the replay's CPU time.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler

CRAWL_GC_THRESHOLD = (50_000, 20, 20)
_running = 0  # engines of this process between engine_started and engine_stopped
_thresholds_before = gc.get_threshold()  # the collector's thresholds before the first engine started


class FrozenStartupHeap:
    """Extension: ``gc.freeze()`` and raised thresholds at engine start, both undone after the last engine stops."""

    def __init__(self) -> None:
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrozenStartupHeap":
        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        global _running, _thresholds_before
        if _running == 0:
            _thresholds_before = gc.get_threshold()
            gc.set_threshold(*CRAWL_GC_THRESHOLD)
        _running += 1
        self.frozen = True
        gc.freeze()

    def engine_stopped(self) -> None:
        global _running
        if not self.frozen:
            return
        self.frozen = False
        _running -= 1
        if _running == 0:
            gc.unfreeze()
            gc.set_threshold(*_thresholds_before)
