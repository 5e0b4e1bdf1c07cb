"""`yuqing config show|check` and `yuqing db upgrade`: inspect the configuration, prepare the database."""

from __future__ import annotations

import json

import click

from config import ConfigError, config_path, redact
from yuqing.context import AppContext, pass_app


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (secrets are always redacted)."""


@config_group.command("show")
@pass_app
def show(app: AppContext) -> None:
    """Print the effective configuration as JSON, with secret values replaced by ***."""
    data = redact(app.config.model_dump(mode="json"))
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@config_group.command("check")
@pass_app
def check(app: AppContext) -> None:
    """Validate the config file (and each channel's robot/webhook host) and say which file was read."""
    from alerts import build_channels

    config = app.config
    try:
        build_channels(config)  # the checks `yuqing alerts dispatch` makes: allowed hosts, templates
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    enabled = ", ".join(config.enabled_sources()) or "无"
    click.echo(f"配置有效：{config_path(app.config_file)}（{config.district}；启用来源：{enabled}）")


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@pass_app
def upgrade(app: AppContext) -> None:
    """Create the database or migrate it to the newest schema (Alembic)."""
    app.database()
    click.echo(f"数据库已是最新结构：{app.db_url.split('@')[-1]}")
