"""The daemon's clock: the wall clock, or a clock started at ``--now`` (replay: the capture time) that runs on.

Given ``--now``, the daemon never reads the wall clock: its time is ``--now`` plus the monotonic time
elapsed since start, moved forward (never back) to each replayed round's capture time.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def advance_to(self, moment: datetime) -> None: ...


class WallClock:
    """The real time in the configured zone."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def advance_to(self, moment: datetime) -> None:
        """The wall clock is not moved."""


class RunningClock:
    """Starts at ``start`` and runs at real speed; ``advance_to`` jumps forward to a later moment."""

    def __init__(self, start: datetime, monotonic=time.monotonic) -> None:
        self._base = start
        self._monotonic = monotonic
        self._mark = monotonic()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._base + timedelta(seconds=self._monotonic() - self._mark)

    def advance_to(self, moment: datetime) -> None:
        with self._lock:
            current = self._base + timedelta(seconds=self._monotonic() - self._mark)
            if moment > current:
                self._base, self._mark = moment, self._monotonic()
