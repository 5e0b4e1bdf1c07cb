"""What every fixture renderer shares: the two capture times and the shape of ``manifest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CAPTURED_AT = {1: "2026-11-20T10:00:00+08:00", 2: "2026-11-21T10:00:00+08:00"}


def round_entry(round_no: int, config: dict[str, Any], responses: list[dict[str, Any]]) -> dict[str, Any]:
    """One round of a manifest: its capture time, the config it was made with, its responses."""
    return {"captured_at": CAPTURED_AT[round_no], "config": config, "responses": responses}


def write_manifest(directory: Path, source: str, rounds: dict[str, Any], volatile_params: tuple[str, ...] = ()) -> None:
    """``<directory>/manifest.json``, indented one space per level, UTF-8, ending in a newline."""
    manifest = {"source": source, "volatile_params": list(volatile_params), "rounds": rounds}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
