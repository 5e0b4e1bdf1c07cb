"""Fixture manifests: a malformed one is a single ManifestError naming the file and the fault, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crawl_support import CAPTURED_1, Page, write_fixture_set

from crawlers.fixtures import ManifestError, load_manifest

ROBOTS = "https://m.weibo.cn/robots.txt"


def write_manifest(root: Path, content: bytes) -> Path:
    path = root / "weibo" / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def one_round(**round_: object) -> bytes:
    body = {"captured_at": CAPTURED_1, "responses": [{"url": ROBOTS, "file": "r1/robots.txt"}]} | round_
    return json.dumps({"source": "weibo", "rounds": {"1": body}}).encode()


@pytest.mark.parametrize(("content", "fault"), [
    (b"[]", "the top level is a JSON array, not an object"),
    (b'{"source": "weibo", "rounds": {"1": {"captured_at": "2026-11-20T10', "not JSON (Unterminated string"),
    (b'{"source": "\xff"}', "not UTF-8 (byte 0xff at offset 12)"),
    (b'{"source": "weibo"}', 'no "rounds" object'),
    (one_round(captured_at=5), "round 1: captured_at must be an ISO 8601 time with a UTC offset, not 5"),
    (one_round(captured_at="2026-11-20T10:00:00"), "round 1: captured_at must be an ISO 8601 time with a UTC offset"),
    (one_round(responses={}), 'round 1: "responses" is a JSON object, not an array'),
    (one_round(responses=[{"file": "r1/robots.txt"}]), "round 1: response 1: missing key 'url'"),
    (one_round(config={"keywords": "天宁"}), "round 1: config.keywords must be an array of strings"),
    (json.dumps({"rounds": {"first": {}}}).encode(), "round first: a round's key must be a whole number ≥ 1"),
])
def test_a_malformed_manifest_is_one_manifest_error_naming_the_file_and_the_fault(
    tmp_path: Path, content: bytes, fault: str
) -> None:
    path = write_manifest(tmp_path, content)

    with pytest.raises(ManifestError) as raised:
        load_manifest(tmp_path, "weibo")

    assert str(raised.value).startswith(f"fixture manifest {path} is malformed: ")
    assert fault in str(raised.value)


def test_a_manifest_that_is_a_folder_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "weibo" / "manifest.json").mkdir(parents=True)
    with pytest.raises(ManifestError, match="manifest.json cannot be read: Is a directory"):
        load_manifest(tmp_path, "weibo")


@pytest.mark.parametrize("file", ["../../../../etc/passwd", "/etc/passwd", "r1/../../toutiao/r1/000.bin"])
def test_a_response_file_outside_the_source_folder_is_refused_naming_the_entry(tmp_path: Path, file: str) -> None:
    write_manifest(tmp_path, one_round(responses=[{"url": ROBOTS, "file": "r1/robots.txt"},
                                                  {"url": "https://m.weibo.cn/p", "file": file}]))

    with pytest.raises(ManifestError, match=r"round 1: response 2 \(https://m.weibo.cn/p\): file .* is outside the "
                                            r"fixture folder"):
        load_manifest(tmp_path, "weibo")


def test_a_file_path_that_stays_inside_the_folder_is_served(tmp_path: Path) -> None:
    write_fixture_set(tmp_path, "weibo", {1: (CAPTURED_1, {}, [Page(ROBOTS, "User-agent: *\n")])})
    write_manifest(tmp_path, one_round(responses=[{"url": ROBOTS, "file": "r1/../r1/000.bin"}]))

    assert load_manifest(tmp_path, "weibo").lookup("GET", ROBOTS, 1).file.read_bytes() == b"User-agent: *\n"
