"""`yuqing serve`: run the small web app that answers the signed 确认 / 误报 links of alert messages."""

from __future__ import annotations

import click

from yuqing.context import AppContext, pass_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--now", help="ISO 8601 time used to check link expiry and stamp actions (default: the wall clock).")
@pass_app
def serve(app: AppContext, host: str, port: int, now: str | None) -> None:
    """Answer the one-tap links in alert messages (alerts.base_url must reach this address).

    Opening a link shows a confirmation page; only its button records the action, as the roster person
    the link was sent to. Request paths (which carry the tokens) are not logged.
    """
    config = app.config
    if config.alerts.link_secret is None:
        raise click.ClickException(
            "alerts.link_secret 未配置：消息中不含一键确认链接，无需启动 serve。"
            '请在配置中设置 link_secret = {"$env" = "YUQING_LINK_SECRET"} 并设置该环境变量。'
        )
    import uvicorn

    from alerts.web import create_app

    fixed = app.now(now) if now else None
    web = create_app(config, app.database(), clock=(lambda: fixed) if fixed else None)
    click.echo(f"一键确认服务：http://{host}:{port}/a/…（消息中的链接以 {config.alerts.base_url} 开头）", err=True)
    uvicorn.run(web, host=host, port=port, access_log=False, log_level="warning")
