"""Run calls at the same time, in threads, each with its own database session: the concurrency tests' helper."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

MEETING_TIMEOUT_S = 1.0


def side_by_side(monkeypatch: pytest.MonkeyPatch, module: object, step: str, *calls: Callable[[], Any]) -> list[Any]:
    """The results of ``calls`` run in threads that meet before ``module.step``: each waits there (up to
    MEETING_TIMEOUT_S) until every call has read what it decides on, so unserialised calls all decide on the
    same state. A call a lock holds back never comes: the others go on alone after the timeout."""
    meeting = threading.Barrier(len(calls))
    original = getattr(module, step)

    def meet_then_step(*args: Any, **kwargs: Any) -> Any:
        try:
            meeting.wait(timeout=MEETING_TIMEOUT_S)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(module, step, meet_then_step)
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
