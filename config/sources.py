"""Configuration of what is crawled: the shared crawl policy and each source's keywords, boards and manners."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.secrets import OptionalSecret

BUILTIN_SPIDERS = ("weibo", "toutiao", "hualongxiang", "zhong5", "generic")


class StrictModel(BaseModel):
    """Base for config sections: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CrawlPolicy(StrictModel):
    """Defaults every source inherits: identification, pacing, retries, the incremental window."""

    user_agent: str = (
        "Mozilla/5.0 (compatible; yuqing/0.1; public-opinion monitoring for an emergency-management bureau;"
        " +https://github.com/yuqing-project/yuqing)"
    )
    window_hours: float = Field(48, gt=0, description="list/search pages are revisited back to this age")
    download_delay_s: float = Field(2.0, ge=0)
    concurrency: int = Field(2, ge=1, le=16)
    autothrottle: bool = True
    retry_times: int = Field(3, ge=0, le=10)
    timeout_s: float = Field(30, gt=0)
    max_pages: int = Field(10, ge=1, description="at most this many list/search pages per keyword or board")
    parse_failure_warn_ratio: float = Field(0.2, ge=0, le=1)
    crawl_timeout_minutes: float = Field(20, gt=0, description="a crawl still running after this is killed")


class GenericList(StrictModel):
    """List + detail CSS selectors for a configured (no-code) HTML source."""

    url: str
    item: str = Field(description="CSS selector of one item on the list page")
    link: str = Field("a::attr(href)", description="CSS selector, relative to the item, of the detail link")
    title: str = "a::text"
    date: str | None = Field(None, description="CSS selector of the item's date text on the list page")


class GenericDetail(StrictModel):
    """Selectors on the detail page of a configured HTML source."""

    title: str = "h1::text"
    text: str = Field(description="CSS selector of the body element(s)")
    date: str | None = None
    author: str | None = None
    date_regex: str | None = Field(None, description="regex with one group, searched in the page text for the date")


class SourceConfig(StrictModel):
    """One source: which spider parses it, what it searches, and how politely."""

    spider: str = Field(description=f"one of {', '.join(BUILTIN_SPIDERS)}")
    name_zh: str = ""
    enabled: bool = True
    keywords: list[str] = Field(default_factory=list)
    boards: list[str] = Field(default_factory=list, description="forum board ids (fid) or portal category ids")
    interval_minutes: float = Field(15, gt=0)
    window_hours: float | None = Field(None, gt=0)
    download_delay_s: float | None = Field(None, ge=0)
    concurrency: int | None = Field(None, ge=1, le=16)
    max_pages: int | None = Field(None, ge=1)
    search_interval_s: float | None = Field(
        None, gt=0, description="keyword searches start at least this many seconds apart, one at a time (sites "
                                "that refuse quick successive searches, e.g. Discuz's 搜索时间间隔); default: unpaced")
    cookie: OptionalSecret = Field(None, description="operator's own session cookie, as a $env/$file/$secret reference")
    obey_robots: bool = True
    robots_authorisation: str = Field(
        "", description="required when obey_robots is false: the agreement that authorises ignoring robots.txt"
    )
    feed_url: str | None = Field(None, description="generic spider: an RSS or Atom feed")
    list_page: GenericList | None = None
    detail_page: GenericDetail | None = None
    allowed_domains: list[str] = Field(default_factory=list)
    expect_items: bool = Field(True, description="a run that finds no items at all is a source-health warning")

    @model_validator(mode="after")
    def _check(self) -> "SourceConfig":
        if self.spider not in BUILTIN_SPIDERS:
            raise ValueError(f"spider must be one of {', '.join(BUILTIN_SPIDERS)}, not {self.spider!r}")
        if not self.obey_robots and not self.robots_authorisation.strip():
            raise ValueError("obey_robots = false needs robots_authorisation naming the agreement that allows it")
        if self.spider == "generic" and not (self.feed_url or (self.list_page and self.detail_page)):
            raise ValueError("a generic source needs feed_url, or both list_page and detail_page selectors")
        return self
