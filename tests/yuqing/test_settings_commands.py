"""`yuqing config check` fails, as dispatch would, on a robot host outside alerts.allowed_hosts or a bad reference,
and warns about every time of the week the duty roster leaves without an officer."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from config import DEFAULT_CONFIG
from yuqing.cli import cli

DINGTALK = """
[alerts]
allowed_hosts = ["oapi.dingtalk.com"]

[channels.dingtalk]
type = "dingtalk"
webhook = { "$env" = "YUQING_DINGTALK_WEBHOOK" }
secret = { "$env" = "YUQING_DINGTALK_SECRET" }
"""


def check(config: Path, webhook: str):
    environment = {"YUQING_DINGTALK_WEBHOOK": webhook, "YUQING_DINGTALK_SECRET": "SECabc", "YUQING_DB_URL": None}
    return CliRunner().invoke(cli, ["--config", str(config), "config", "check"], env=environment)


def test_an_allowed_robot_host_passes(tmp_path):
    config = tmp_path / "yuqing.toml"
    config.write_text(DINGTALK, encoding="utf-8")
    result = check(config, "https://oapi.dingtalk.com/robot/send?access_token=X")
    assert result.exit_code == 0, result.output
    assert f"配置有效：{config}" in result.stdout


def test_a_robot_host_outside_the_allow_list_fails_the_check(tmp_path):
    config = tmp_path / "yuqing.toml"
    config.write_text(DINGTALK, encoding="utf-8")
    result = check(config, "https://evil.example/robot/send?access_token=X")
    assert result.exit_code == 1
    assert "channels.dingtalk.webhook: host evil.example is not in alerts.allowed_hosts" in result.output
    assert "配置有效" not in result.output and "Traceback" not in result.output


def test_a_malformed_secret_reference_fails_the_check_in_one_line(tmp_path):
    config = tmp_path / "yuqing.toml"
    config.write_text('[sources.weibo]\nspider = "weibo"\ncookie = { "$bogus" = "x" }\n', encoding="utf-8")
    result = check(config, "")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f'Error: {config}: sources.weibo.cookie: a secret reference must be exactly one of {{"$env" = "VARIABLE"}}, '
        '{"$file" = "path"} or {"$secret" = "name"} (got keys "$bogus")'
    ]


ROSTER_WITH_GAPS = """
[roster]
leaders = ["带班领导"]
people = [{ name = "值班员" }, { name = "带班领导", role = "leader" }]

[[roster.shifts]]
days = ["mon", "tue", "thu", "fri"]
start = "08:30"
end = "17:30"
primary = "值班员"

[[roster.shifts]]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "17:30"
end = "08:30"
primary = "值班员"

[[roster.shifts]]
days = ["sat"]
start = "00:00"
end = "00:00"
primary = "值班员"
"""


def test_the_check_warns_once_per_weekly_gap_in_the_roster_naming_days_and_hours(tmp_path):
    config = tmp_path / "yuqing.toml"
    config.write_text(ROSTER_WITH_GAPS, encoding="utf-8")
    result = check(config, "")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "警告：每周 周三 08:30–17:30 没有值班班次（roster.shifts），其间的新预警只发给带班领导",
        "警告：每周 周日 00:00 至 周一 08:30 没有值班班次（roster.shifts），其间的新预警只发给带班领导",
    ]


def test_the_shipped_roster_leaves_no_time_of_the_week_uncovered():
    result = check(DEFAULT_CONFIG, "")
    assert result.exit_code == 0, result.output
    assert "配置有效" in result.stdout and "没有值班班次" not in result.output
