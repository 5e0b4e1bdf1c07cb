"""``yuqing run --replay``: each source's fixture rounds, handed out one per crawl tick, in order."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crawlers.fixtures import load_manifest


@dataclass(frozen=True)
class ReplayRound:
    number: int
    captured_at: datetime


class ReplayPlan:
    """The rounds still to replay per source (thread-safe: crawl jobs run in parallel threads)."""

    def __init__(self, directory: Path, sources: list[str]) -> None:
        self.directory = directory
        self._pending = {source: rounds_of(directory, source) for source in sources}
        self._lock = threading.Lock()

    @property
    def sources(self) -> list[str]:
        return list(self._pending)

    def first_capture(self) -> datetime | None:
        """The earliest capture time of any round (the default ``--now`` of a replay)."""
        times = [rounds[0].captured_at for rounds in self._pending.values() if rounds]
        return min(times) if times else None

    def take(self, source: str) -> ReplayRound | None:
        """The next round of ``source``, or None once all are replayed."""
        with self._lock:
            rounds = self._pending.get(source) or []
            return rounds.pop(0) if rounds else None

    def exhausted(self) -> bool:
        with self._lock:
            return not any(self._pending.values())


def rounds_of(directory: Path, source: str) -> list[ReplayRound]:
    """A source's fixture rounds in order, with their capture times; ManifestError names a malformed manifest."""
    rounds = load_manifest(directory, source).rounds.values()
    return sorted((ReplayRound(r.number, r.captured_at) for r in rounds), key=lambda r: r.number)


def replayable_sources(directory: Path, configured: dict, wanted: tuple[str, ...] = ()) -> list[str]:
    """Enabled configured sources with a manifest in ``directory`` (or exactly ``wanted``)."""
    available = [name for name in configured if (directory / name / "manifest.json").is_file()]
    if wanted:
        return [name for name in wanted if name in available]
    return [name for name in available if configured[name].enabled]
