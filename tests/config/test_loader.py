"""The config file: the shipped 天宁区 example loads, wrong values name their key, secrets stay hidden."""

from __future__ import annotations

import json

import pytest

from config import ConfigError, DEFAULT_CONFIG, config_from_mapping, load_config, redact


def test_shipped_example_is_the_default_and_valid(monkeypatch):
    monkeypatch.delenv("YUQING_CONFIG", raising=False)
    monkeypatch.delenv("YUQING_DB_URL", raising=False)
    config = load_config()
    assert config.district == "天宁区"
    assert config.timezone == "Asia/Shanghai"
    assert config.database.url.startswith("sqlite:///")
    assert set(config.enabled_sources()) == {"weibo", "toutiao", "hualongxiang", "zhong5"}
    assert config.sources["hualongxiang"].boards == ["103"]
    assert DEFAULT_CONFIG.name == "tianning.toml"


def test_yuqing_config_and_db_url_environment(tmp_path, monkeypatch):
    other = tmp_path / "other.toml"
    other.write_text('district = "钟楼区"\n[database]\nurl = "sqlite:///x.db"\n', encoding="utf-8")
    monkeypatch.setenv("YUQING_CONFIG", str(other))
    monkeypatch.setenv("YUQING_DB_URL", "postgresql+psycopg://u@h/db")
    config = load_config()
    assert config.district == "钟楼区"
    assert config.database.url == "postgresql+psycopg://u@h/db"


def test_wrong_value_fails_with_key_path_and_expectation(monkeypatch):
    monkeypatch.delenv("YUQING_DB_URL", raising=False)
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"crawl": {"window_hours": "two days"}, "sources": {"w": {"spider": "weibo", "bogus": 1}}})
    message = str(caught.value)
    assert "crawl.window_hours" in message and "valid number" in message
    assert "sources.w.bogus" in message and "Extra inputs are not permitted" in message


def test_unknown_timezone_and_spider_are_rejected():
    with pytest.raises(ConfigError, match="unknown timezone 'Mars/Base'"):
        config_from_mapping({"timezone": "Mars/Base"})
    with pytest.raises(ConfigError, match="spider must be one of"):
        config_from_mapping({"sources": {"x": {"spider": "facebook"}}})


def test_ignoring_robots_requires_a_named_authorisation():
    with pytest.raises(ConfigError, match="robots_authorisation"):
        config_from_mapping({"sources": {"w": {"spider": "weibo", "obey_robots": False}}})
    config = config_from_mapping(
        {"sources": {"w": {"spider": "weibo", "obey_robots": False, "robots_authorisation": "数据协议 2026-17"}}}
    )
    assert config.sources["w"].obey_robots is False


def test_secrets_come_from_env_or_secrets_file_and_are_redacted(tmp_path, monkeypatch):
    monkeypatch.setenv("WB_COOKIE", "SUB=top-secret")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('tt = "ttwid=also-secret"\n', encoding="utf-8")
    config = config_from_mapping({
        "secrets": {"file": str(secrets)},
        "sources": {
            "weibo": {"spider": "weibo", "cookie": {"$env": "WB_COOKIE"}},
            "toutiao": {"spider": "toutiao", "cookie": {"$secret": "tt"}},
        },
    })
    assert config.sources["weibo"].cookie.get_secret_value() == "SUB=top-secret"
    assert config.sources["toutiao"].cookie.get_secret_value() == "ttwid=also-secret"
    shown = json.dumps(redact(config.model_dump(mode="json")), ensure_ascii=False)
    assert "top-secret" not in shown and "also-secret" not in shown
    assert "top-secret" not in repr(config)


def test_a_password_inside_a_url_is_redacted_whatever_the_key():
    config = config_from_mapping({"database": {"url": "postgresql+psycopg://yuqing:s3cret@db.example:5432/yq"}})
    shown = redact(config.model_dump(mode="json"))
    assert shown["database"]["url"] == "postgresql+psycopg://yuqing:***@db.example:5432/yq"
    assert redact({"url": "sqlite:///var/yuqing.db", "note": "a@b:c"}) == {"url": "sqlite:///var/yuqing.db",
                                                                          "note": "a@b:c"}


def test_unset_env_secret_is_absent_but_missing_secret_name_is_an_error(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    config = config_from_mapping({"sources": {"weibo": {"spider": "weibo", "cookie": {"$env": "NOPE"}}}})
    assert config.sources["weibo"].cookie is None
    with pytest.raises(ConfigError, match="sources.weibo.cookie: secret 'x' is not in the secrets file"):
        config_from_mapping({"sources": {"weibo": {"spider": "weibo", "cookie": {"$secret": "x"}}}})


def test_unreadable_config_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("district = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(broken)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
