"""The configured (no-code) spider: an RSS/Atom feed, or a list page + detail pages read with CSS selectors.

A source with ``spider = "generic"`` gives ``feed_url`` (parsed with feedparser), or ``list_page`` and
``detail_page`` selectors (config/sources.py). A feed with ``detail_page`` selectors also fetches each new
entry's page for its full text. Post ids are a stable hash of the entry's guid or canonical link; the
sources show no engagement, so counts are null. An entry already stored (of any age) is yielded as a count-less
``EngagementSighting``: it is not fetched again, and a crawl that finds nothing new is told from one that found
nothing at all (a blocked or changed source). A feed's author is kept as a display name, never an e-mail address.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urldefrag

import feedparser
import scrapy
from scrapy.http import Response

from crawlers.parsing.text import html_to_text
from crawlers.spiders.base import SourceSpider
from storage.records import EngagementSighting, PostRecord

LIST_DATE_GRACE = timedelta(days=1)  # list pages often show only the day: the detail page's date decides
EMAIL = re.compile(r"mailto:|[\w.+-]+[@＠][\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def stable_id(key: str) -> str:
    """A post id that stays the same across crawls: the first 16 hex digits of the key's SHA-1."""
    return hashlib.sha1(key.strip().encode("utf-8")).hexdigest()[:16]


def canonical(url: str) -> str:
    return urldefrag(url.strip())[0]


@dataclass(frozen=True, slots=True)
class Listed:
    """What the feed or list page said about an item before its detail page is read."""

    post_id: str
    url: str
    title: str
    published: datetime | None
    author: str | None = None
    text: str = ""
    raw: str = ""


class GenericSpider(SourceSpider):
    """Reads one configured feed or list page, newest items inside the window."""

    name = "generic"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        config = self.source_config
        if config.feed_url:
            yield scrapy.Request(config.feed_url, callback=self.parse_feed)
        elif config.list_page:
            yield scrapy.Request(config.list_page.url, callback=self.parse_list)

    # -- feeds -------------------------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Any]:
        feed = feedparser.parse(response.body, response_headers={"content-type": _content_type(response)})
        if not feed.entries:
            if feed.bozo:
                self.report_parse_failure(response, f"not a feed: {feed.get('bozo_exception')}")
            else:
                self.report_empty(response, "feed entries")
            return
        for entry in feed.entries:
            listed = self.feed_entry(response, entry)
            if listed is not None:
                yield from self.follow(listed, recent=listed.published is None or self.in_window(listed.published))

    def feed_entry(self, response: Response, entry: Any) -> Listed | None:
        link = canonical(response.urljoin(entry.get("link", ""))) if entry.get("link") else ""
        key = entry.get("id") or link
        if not key:
            self.report_parse_failure(response, "feed entry without link or id")
            return None
        content = entry.get("content") or [{}]
        body = content[0].get("value") or entry.get("summary", "")
        author = author_name(entry)
        return Listed(
            post_id=stable_id(key), url=link or key, title=html_to_text(entry.get("title", "")),
            published=self.feed_date(response, entry), author=author,
            text=html_to_text(body), raw=json.dumps(_entry_fields(entry, author), ensure_ascii=False),
        )

    def feed_date(self, response: Response, entry: Any) -> datetime | None:
        """The entry's date: feedparser's own reading (UTC) when it had one, else our date parser."""
        for name in ("published", "updated"):  # dict.get: feedparser's own get() warns on aliased keys
            parsed = dict.get(entry, f"{name}_parsed")
            if parsed:
                return datetime(*parsed[:6], tzinfo=timezone.utc).astimezone(self.tz)
            if dict.get(entry, name):
                return self.date_or_none(response, entry[name])
        return None

    # -- list pages --------------------------------------------------------------------------------------

    def parse_list(self, response: Response) -> Iterator[Any]:
        selectors = self.source_config.list_page
        items = response.css(selectors.item)
        if not items:
            self.report_empty(response, f"items matching {selectors.item!r}")
            return
        for item in items:
            href = item.css(selectors.link).get()
            if not href:
                self.report_parse_failure(response, f"list item without a link ({selectors.link!r})")
                continue
            url = canonical(response.urljoin(href))
            shown = _text(item.css(selectors.date).getall()) if selectors.date else ""
            published = self.date_or_none(response, shown) if shown else None
            recent = published is None or self.in_window(published + LIST_DATE_GRACE)
            yield from self.follow(Listed(stable_id(url), url, _text(item.css(selectors.title).getall()), published),
                                   recent)

    def follow(self, listed: Listed, recent: bool) -> Iterator[Any]:
        """A sighting of a stored post (of any age); else, when ``recent`` (inside the window), :meth:`new_post`."""
        if self.is_known(listed.post_id):
            yield EngagementSighting(self.source, listed.post_id)
        elif recent:
            yield from self.new_post(listed)

    def new_post(self, listed: Listed) -> Iterator[Any]:
        """The post, or a request for its detail page."""
        if self.source_config.detail_page:
            yield scrapy.Request(listed.url, callback=self.parse_detail, cb_kwargs={"listed": listed})
        elif listed.published is None:
            self.report_parse_failure(None, f"entry without a date: {listed.url}")
        else:
            yield self.record(listed, listed.text, listed.published, listed.author, listed.raw)

    # -- detail pages ------------------------------------------------------------------------------------

    def parse_detail(self, response: Response, listed: Listed) -> Iterator[PostRecord]:
        selectors = self.source_config.detail_page
        body = response.css(selectors.text).getall()
        if not body:
            self.report_parse_failure(response, f"no body matching {selectors.text!r}")
            return
        published = self.detail_date(response) or listed.published
        if published is None:
            self.report_parse_failure(response, "no date on the page or in the list")
            return
        if not self.in_window(published):
            return
        author = _text(response.css(selectors.author).getall()) if selectors.author else ""
        title = _text(response.css(selectors.title).getall()) or listed.title
        yield self.record(Listed(listed.post_id, canonical(response.url), title, published),
                          html_to_text("\n".join(body)), published, author or listed.author, "\n".join(body))

    def detail_date(self, response: Response) -> datetime | None:
        selectors = self.source_config.detail_page
        shown = _text(response.css(selectors.date).getall()) if selectors.date else ""
        if not shown and selectors.date_regex:
            match = re.search(selectors.date_regex, " ".join(response.css("body ::text").getall()))
            shown = match[1] if match else ""
        return self.date_or_none(response, shown) if shown else None

    # -- helpers -----------------------------------------------------------------------------------------

    def record(self, listed: Listed, text: str, published: datetime, author: str | None, raw: str) -> PostRecord:
        return PostRecord(source=self.source, id=listed.post_id, url=listed.url, title=listed.title, text=text,
                          author=author, published_at=published, raw=raw)


def _text(values: list[str]) -> str:
    return html_to_text(" ".join(values)).replace("\n", " ").strip()


def _content_type(response: Response) -> str:
    return response.headers.get("Content-Type", b"").decode("latin-1")


def author_name(entry: Any) -> str | None:
    """The entry's author as the feed names them (feedparser's ``author_detail.name``), any e-mail address removed;
    None when the feed gives only an address."""
    detail = entry.get("author_detail") or {}
    name = EMAIL.sub("", detail.get("name") or "").strip(" ,;:()<>（）")
    return name or None


def _entry_fields(entry: Any, author: str | None) -> dict[str, Any]:
    """The entry's raw fragment: its own fields, the author as :func:`author_name` read it."""
    keys = ("id", "link", "title", "published", "updated", "summary")
    fields = {key: dict.get(entry, key) for key in keys if dict.get(entry, key)}
    if author:
        fields["author"] = author
    if entry.get("content"):
        fields["content"] = entry["content"][0].get("value", "")
    return fields
