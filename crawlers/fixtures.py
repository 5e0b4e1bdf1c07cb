"""The fixture-set layout shared by replay and recording: ``<dir>/<source>/manifest.json`` and URL matching."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

MANIFEST = "manifest.json"
DEFAULT_VOLATILE_PARAMS = frozenset({"_", "_signature", "a_bogus", "msToken", "X-Bogus", "__ac_signature"})


class ManifestError(ValueError):
    """A fixture manifest that is missing or not in the documented format."""


@dataclass(frozen=True, slots=True)
class Fixture:
    """One recorded response: where its body is, and the status and headers it came with."""

    url: str
    file: Path
    status: int
    headers: dict[str, Any]


@dataclass(slots=True)
class Round:
    """One capture of a source: its time, the config it was made with, its responses by request key.

    ``recorded`` maps each response's ``(METHOD, url)`` exactly as recorded to what its request key finds,
    so a request for a recorded URL is found without normalising it.
    """

    number: int
    captured_at: datetime
    config: dict[str, Any]
    responses: dict[tuple[str, str], Fixture] = field(default_factory=dict)
    recorded: dict[tuple[str, str], Fixture] = field(default_factory=dict)


@dataclass(slots=True)
class Manifest:
    """A source's fixture set; requests are looked up in one round, then in earlier rounds."""

    source: str
    directory: Path
    volatile_params: frozenset[str]
    rounds: dict[int, Round]

    def rounds_up_to(self, number: int) -> list[Round]:
        """Rounds ``number`` and earlier, newest first."""
        return [self.rounds[n] for n in sorted(self.rounds, reverse=True) if n <= number]

    def current(self, number: int) -> Round:
        """The round a replay of ``number`` stands in: ``number`` itself, else the newest earlier one."""
        rounds = self.rounds_up_to(number)
        if not rounds:
            raise ManifestError(f"{self.source}: no round {number} or earlier in {self.directory / MANIFEST}")
        return rounds[0]

    def config_overlay(self, number: int) -> dict[str, Any]:
        """The source config (keywords, boards) the fixtures were recorded with, as of round ``number``."""
        overlay: dict[str, Any] = {}
        for round_ in reversed(self.rounds_up_to(number)):
            overlay.update(round_.config)
        return overlay

    def lookup(self, method: str, url: str, number: int) -> Fixture | None:
        """The fixture of round ``number``, else of the newest earlier round, whose request key is the request's."""
        exact, key = (method.upper(), url), None
        for round_ in self.rounds_up_to(number):
            fixture = round_.recorded.get(exact)
            if fixture is None:
                key = key or request_key(method, url, self.volatile_params)
                fixture = round_.responses.get(key)
            if fixture is not None:
                return fixture
        return None


def request_key(method: str, url: str, volatile: frozenset[str] = DEFAULT_VOLATILE_PARAMS) -> tuple[str, str]:
    """``(METHOD, url)`` with host lower-cased, fragment dropped, query sorted and volatile parameters removed."""
    parts = urlsplit(url)
    pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True, errors="surrogateescape")
        if name not in volatile
    ]
    query = urlencode(sorted(pairs), quote_via=quote, errors="surrogateescape")
    path = quote(unquote(parts.path or "/", errors="surrogateescape"), safe="/:@!$&'()*+,;=-._~", errors="surrogateescape")
    return method.upper(), urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def manifest_path(directory: str | Path, source: str) -> Path:
    return Path(directory) / source / MANIFEST


def load_manifest(directory: str | Path, source: str) -> Manifest:
    """Read ``<directory>/<source>/manifest.json``; :class:`ManifestError` if absent or malformed."""
    path = manifest_path(directory, source)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        volatile = DEFAULT_VOLATILE_PARAMS | frozenset(data.get("volatile_params", []))
        rounds = {int(n): _round(int(n), r, path.parent, volatile) for n, r in data["rounds"].items()}
    except FileNotFoundError as exc:
        raise ManifestError(f"no fixture manifest {path}") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestError(f"fixture manifest {path} is malformed: {exc!r}") from exc
    return Manifest(source=data.get("source", source), directory=path.parent, volatile_params=volatile, rounds=rounds)


def _round(number: int, data: dict[str, Any], directory: Path, volatile: frozenset[str]) -> Round:
    captured_at = datetime.fromisoformat(data["captured_at"])
    if captured_at.tzinfo is None:
        raise ValueError(f"round {number}: captured_at {data['captured_at']!r} has no UTC offset")
    round_ = Round(number=number, captured_at=captured_at, config=dict(data.get("config") or {}))
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in data.get("responses", []):
        fixture = Fixture(
            url=entry["url"],
            file=directory / entry["file"],
            status=int(entry.get("status", 200)),
            headers=dict(entry.get("headers") or {}),
        )
        method = entry.get("method", "GET")
        key = keys[(method.upper(), entry["url"])] = request_key(method, entry["url"], volatile)
        round_.responses[key] = fixture
    round_.recorded = {exact: round_.responses[key] for exact, key in keys.items()}
    return round_
