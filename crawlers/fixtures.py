"""The fixture-set layout shared by replay and recording: ``<dir>/<source>/manifest.json`` and URL matching."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
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
    path = quote(unquote(parts.path or "/", errors="surrogateescape"), safe="/:@!$&'()*+,;=-._~",
                 errors="surrogateescape")
    return method.upper(), urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def manifest_path(directory: str | Path, source: str) -> Path:
    return Path(directory) / source / MANIFEST


def load_manifest(directory: str | Path, source: str) -> Manifest:
    """Read ``<directory>/<source>/manifest.json``.

    Raises :class:`ManifestError`, naming the file and the fault, when it is absent, unreadable, not UTF-8 JSON,
    not in the documented shape, or names a response file outside the source's folder.
    """
    path = manifest_path(directory, source)
    data = _read_json(path)
    try:
        if not isinstance(data, dict):
            raise ValueError(f"the top level is a JSON {_json_type(data)}, not an object")
        volatile = DEFAULT_VOLATILE_PARAMS | frozenset(_strings(data.get("volatile_params", []), "volatile_params"))
        if not isinstance(data.get("rounds"), dict):
            raise ValueError('no "rounds" object')
        rounds = dict(_round(key, body, path.parent, volatile) for key, body in data["rounds"].items())
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"fixture manifest {path} is malformed: {_reason(exc)}") from exc
    return Manifest(source=data.get("source", source), directory=path.parent, volatile_params=volatile, rounds=rounds)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ManifestError(f"no fixture manifest {path}") from exc
    except OSError as exc:
        raise ManifestError(f"fixture manifest {path} cannot be read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ManifestError(f"fixture manifest {path} is malformed: not UTF-8 (byte {exc.object[exc.start]:#04x} "
                            f"at offset {exc.start})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"fixture manifest {path} is malformed: not JSON ({exc})") from exc


def _round(key: str, data: Any, directory: Path, volatile: frozenset[str]) -> tuple[int, Round]:
    try:
        number = int(key) if key.isdigit() else 0
        if number < 1:
            raise ValueError("a round's key must be a whole number ≥ 1")
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {_json_type(data)}, not an object")
        round_ = Round(number=number, captured_at=_captured_at(data.get("captured_at")), config=_config(data))
        entries = data.get("responses", [])
        if not isinstance(entries, list):
            raise ValueError(f'"responses" is a JSON {_json_type(entries)}, not an array')
        _add_responses(round_, entries, directory, volatile)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"round {key}: {_reason(exc)}") from exc
    return number, round_


def _captured_at(value: Any) -> datetime:
    try:
        captured_at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        captured_at = None
    if captured_at is None or captured_at.tzinfo is None:
        raise ValueError(f"captured_at must be an ISO 8601 time with a UTC offset, not {value!r}")
    return captured_at


def _config(data: dict[str, Any]) -> dict[str, Any]:
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f'"config" is a JSON {_json_type(config)}, not an object')
    for name in ("keywords", "boards"):
        if name in config:
            _strings(config[name], f"config.{name}")
    return dict(config)


def _add_responses(round_: Round, entries: list[Any], directory: Path, volatile: frozenset[str]) -> None:
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for index, entry in enumerate(entries, 1):
        try:
            fixture = _fixture(entry, directory)
            method = str(entry.get("method", "GET"))
            key = keys[(method.upper(), fixture.url)] = request_key(method, fixture.url, volatile)
        except (ValueError, KeyError, TypeError) as exc:
            url = entry.get("url") if isinstance(entry, dict) else None
            raise ValueError(f"response {index}{f' ({url})' if url else ''}: {_reason(exc)}") from exc
        round_.responses[key] = fixture
    round_.recorded = {exact: round_.responses[key] for exact, key in keys.items()}


def _fixture(entry: Any, directory: Path) -> Fixture:
    if not isinstance(entry, dict):
        raise ValueError(f"a JSON {_json_type(entry)}, not an object")
    if not isinstance(entry["url"], str) or not isinstance(entry["file"], str):
        raise ValueError('"url" and "file" must be strings')
    return Fixture(url=entry["url"], file=directory / _inside(entry["file"], directory),
                   status=int(entry.get("status", 200)), headers=dict(entry.get("headers") or {}))


def _inside(name: str, directory: Path) -> str:
    """``name``, a path relative to the source's folder; a ValueError if it leads out of it (``..``, absolute)."""
    normal = PurePosixPath(posixpath.normpath(name))
    if normal.is_absolute() or normal.parts[:1] == ("..",):
        raise ValueError(f"file {name!r} is outside the fixture folder {directory}")
    return name


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{what} must be an array of strings, not {value!r}")
    return value


def _reason(exc: BaseException) -> str:
    return f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
