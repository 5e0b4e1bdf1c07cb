"""The one ``storage.Database`` per URL that a crawl process shares (spider known ids, store pipeline, crawl runs)."""

from __future__ import annotations

from storage import Database, open_database

_OPEN: dict[str, Database] = {}


def crawl_database(url: str) -> Database:
    """Open (and migrate) the database at ``url`` once per process."""
    if url not in _OPEN:
        _OPEN[url] = open_database(url)
    return _OPEN[url]
