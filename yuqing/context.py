"""What every command shares: the loaded config, the database it opens on demand, the current time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import click

from config import Config, ConfigError, load_config

FIRST_YEAR, LAST_YEAR = 1900, 9000  # --now, --week, --date, --since and --until stay inside these years


@dataclass
class AppContext:
    """Carried by click from the `yuqing` group to each subcommand."""

    config_file: Path | None
    db_url_option: str | None
    verbose: int = 0
    _config: Config | None = field(default=None, init=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_file)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._config

    @property
    def db_url(self) -> str:
        return self.db_url_option or self.config.database.url

    @property
    def crawl_log_level(self) -> str:
        """Scrapy's log level in crawl subprocesses: warnings only, unless -v was given."""
        return ["WARNING", "INFO", "DEBUG"][min(self.verbose, 2)]

    def database(self):  # -> storage.Database; imported lazily so `--help` stays fast
        """The database, migrated; one that cannot be opened is one clear error (``YuqingGroup``, password hidden)."""
        from storage import open_database

        return open_database(self.db_url)

    def now(self, given: str | None) -> datetime:
        """The ``--now`` value as an aware datetime in the configured zone, else the wall clock."""
        if given is None:
            return datetime.now(self.config.tz)
        return parse_now(given, self.config)


def parse_now(text: str, config: Config) -> datetime:
    """Parse an ISO 8601 ``--now``; a value without offset is taken in the configured timezone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not ISO 8601 (e.g. 2026-11-23T09:00:00+08:00)", param_hint="--now")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=config.tz)
    check_year(moment, "--now")
    return moment.astimezone(config.tz)


def check_year(moment: date, option: str) -> None:
    """A usage error for a date outside the years this tool reckons with (whole weeks and zones around it fit)."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise click.BadParameter(f"{moment.isoformat()} is outside {FIRST_YEAR}–{LAST_YEAR}", param_hint=option)


def database_problem(exc: BaseException, url: str) -> str | None:
    """A one-line Chinese explanation when ``exc`` means the database cannot be used, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "（无法解析）"
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        return f"数据库被其他进程锁定，等待超时，本次操作未执行，请稍后重试：{shown}"
    if isinstance(exc, OperationalError):
        return f"无法打开数据库 {shown}：{str(exc.orig).strip().splitlines()[0]}"
    if isinstance(exc, ArgumentError | NoSuchModuleError | ModuleNotFoundError):
        return f"数据库地址无效或不受支持：{shown}（示例：sqlite:///var/yuqing.db、postgresql+psycopg://user@host/db）"
    return None


pass_app = click.make_pass_decorator(AppContext)
