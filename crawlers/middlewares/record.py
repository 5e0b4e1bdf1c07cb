"""``yuqing record``: save each live response as a fixture — a file plus a manifest entry — in the replay layout.

Active when the setting ``YUQING_RECORD_DIR`` is set. The capture becomes a new round of
``<dir>/<source>/manifest.json`` (after any rounds already there), taken at the spider's "now" (``--now``), with the
keywords and boards it searched. Cookies, Set-Cookie and Authorization headers are never saved, and
secret-looking query parameters are cut from the URLs (and marked volatile, so replay still matches).
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spiders import Spider

from crawlers.fixtures import manifest_path

logger = logging.getLogger(__name__)

SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization", "x-xsrf-token"})
DROPPED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_UNSAVED_HEADERS = SECRET_HEADERS | DROPPED_HEADERS
SECRET_PARAM = re.compile(r"token|secret|password|passwd|key|sign|session|ticket|auth|bogus|sid$", re.IGNORECASE)
_EXTENSIONS = {"html": ".html", "json": ".json", "javascript": ".js", "xml": ".xml", "text/plain": ".txt"}


class RecordMiddleware:
    """Downloader middleware copying every raw response (3xx included) into a fixture round."""

    def __init__(self, crawler: Crawler, directory: Path) -> None:
        self.crawler = crawler
        self.directory = directory
        self.entries: list[dict[str, Any]] = []
        self.stripped_params: set[str] = set()
        self.round_no: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RecordMiddleware":
        directory = crawler.settings.get("YUQING_RECORD_DIR")
        if not directory:
            raise NotConfigured()
        middleware = cls(crawler, Path(directory))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        manifest = self._manifest(spider)
        round_no = self._next_round(manifest)
        body, headers = _plain_body(response)
        name = f"r{round_no}/{len(self.entries) + 1:05d}{_extension(headers)}"
        target = manifest.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        self.entries.append({"method": request.method, "url": self._public_url(request.url), "file": name,
                             "status": response.status, "headers": headers})
        return response

    def spider_closed(self, spider: Spider) -> None:
        if not self.entries:
            return
        path = self._manifest(spider)
        data = _read_manifest(path, getattr(spider, "source", spider.name))
        round_no = self._next_round(path)
        data["volatile_params"] = sorted(set(data.get("volatile_params", [])) | self.stripped_params)
        data["rounds"][str(round_no)] = {
            "captured_at": self._captured_at(spider),
            "config": {"keywords": list(getattr(spider, "keywords", [])),
                       "boards": list(getattr(spider, "boards", []))},
            "responses": self.entries,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        logger.info("recorded %d responses as round %d of %s", len(self.entries), round_no, path)

    def _captured_at(self, spider: Spider) -> str:
        """The spider's "now" (``--now``, else the wall clock when it started); without one, ``--now`` or the clock."""
        now = getattr(spider, "now", None)
        if now is not None:
            return now.isoformat()
        return self.crawler.settings.get("YUQING_NOW") or datetime.now().astimezone().isoformat()

    def _manifest(self, spider: Spider) -> Path:
        return manifest_path(self.directory, getattr(spider, "source", spider.name))

    def _next_round(self, manifest: Path) -> int:
        if self.round_no is None:
            rounds = _read_manifest(manifest, "")["rounds"]
            self.round_no = max((int(n) for n in rounds), default=0) + 1
        return self.round_no

    def _public_url(self, url: str) -> str:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        secret = {name for name, _ in pairs if SECRET_PARAM.search(name)}
        if not secret:
            return url
        self.stripped_params |= secret
        kept = [(name, value) for name, value in pairs if name not in secret]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def _read_manifest(path: Path, source: str) -> dict[str, Any]:
    if not path.exists():
        return {"source": source, "volatile_params": [], "rounds": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _plain_body(response: Response) -> tuple[bytes, dict[str, Any]]:
    """The body decompressed where the standard library can, and the headers worth keeping."""
    headers: dict[str, Any] = {}
    for raw_name, raw_values in response.headers.items():
        name = raw_name.decode("latin-1")
        if name.lower() in _UNSAVED_HEADERS:
            continue
        values = [value.decode("latin-1") for value in raw_values]
        headers[name] = values[0] if len(values) == 1 else values
    body = response.body
    encoding = str(headers.get("Content-Encoding", "")).lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
    except (OSError, zlib.error, EOFError):
        return body, headers
    if encoding in ("gzip", "x-gzip", "deflate"):
        headers.pop("Content-Encoding")
    return body, headers


def _extension(headers: dict[str, Any]) -> str:
    content_type = str(headers.get("Content-Type", "")).lower()
    return next((ext for key, ext in _EXTENSIONS.items() if key in content_type), ".bin")
