"""Secret references: a malformed one is an error naming its key, a bad value is one line, a secret is never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, config_from_mapping, load_config

FORMS = 'exactly one of {"$env" = "VARIABLE"}, {"$file" = "path"} or {"$secret" = "name"}'


def weibo_cookie(cookie: object) -> dict:
    return {"sources": {"weibo": {"spider": "weibo", "cookie": cookie}}}


@pytest.mark.parametrize("reference", [
    {"$bogus": "x"},
    {"$evn": "YUQING_WEIBO_COOKIE"},
    {"$env": "YUQING_WEIBO_COOKIE", "$file": "/etc/yuqing/weibo.key"},
    {"$env": "YUQING_WEIBO_COOKIE", "note": "typo"},
])
def test_a_table_with_a_dollar_key_must_be_exactly_one_known_reference(reference, monkeypatch):
    monkeypatch.setenv("YUQING_WEIBO_COOKIE", "SUB=abc")
    with pytest.raises(ConfigError) as refused:
        config_from_mapping(weibo_cookie(reference))
    assert "sources.weibo.cookie: a secret reference must be " + FORMS in str(refused.value)


def test_a_secret_given_as_a_plain_table_is_refused_not_turned_into_text():
    with pytest.raises(ConfigError, match="sources.weibo.cookie: Value error, expected a string") as refused:
        config_from_mapping(weibo_cookie({"SUB": "abc"}))
    assert "SUB" not in str(refused.value)


def test_every_value_in_the_secrets_file_must_be_a_string(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('tt = "ttwid=x"\n[weibo]\nc = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"secrets.toml: weibo: every secret must be a string \(name = \"value\"\)"):
        config_from_mapping({"secrets": {"file": str(secrets)}, **weibo_cookie({"$secret": "weibo"})}, "c.toml")


@pytest.mark.parametrize(("raw", "expected"), [
    ({"secrets": {"file": 5}}, "c.toml: secrets.file: expected a path as a string (got int)"),
    ({"secrets": "foo"}, 'c.toml: secrets: expected a table such as [secrets] file = "…" (got str)'),
    ({"database": "foo"}, "database: Input should be a valid dictionary"),
    (weibo_cookie({"$env": 5}), 'c.toml: sources.weibo.cookie: "$env" needs a non-empty string (got int)'),
    (weibo_cookie({"$file": 7}), 'c.toml: sources.weibo.cookie: "$file" needs a non-empty string (got int)'),
    (weibo_cookie({"$secret": ""}), 'c.toml: sources.weibo.cookie: "$secret" needs a non-empty string (got an empty string)'),
])
def test_a_value_of_the_wrong_kind_is_a_config_error_with_its_key(raw, expected, monkeypatch):
    monkeypatch.setenv("YUQING_DB_URL", "sqlite:///elsewhere.db")
    with pytest.raises(ConfigError) as refused:
        config_from_mapping(raw, "c.toml")
    assert expected in str(refused.value)


def test_a_secret_file_that_is_not_utf8_or_not_a_file_is_a_config_error(tmp_path):
    binary = tmp_path / "weibo.key"
    binary.write_bytes(b"\xff\xfe cookie")
    with pytest.raises(ConfigError, match=f"sources.weibo.cookie: secret file {binary} is not UTF-8 text"):
        config_from_mapping(weibo_cookie({"$file": str(binary)}))
    with pytest.raises(ConfigError, match="does not exist or is not a file"):
        config_from_mapping(weibo_cookie({"$file": str(tmp_path)}))


def test_a_secrets_file_that_is_not_utf8_is_a_config_error(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_bytes(b'a = "\xff"\n')
    config = tmp_path / "yuqing.toml"
    config.write_text(f'[secrets]\nfile = "{secrets}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=f"secrets.file {secrets} cannot be read: not UTF-8 text"):
        load_config(config)


def smtp_port(port: object, tmp_path: Path) -> dict:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('smtp = "SMTPPW555"\n', encoding="utf-8")
    return {"secrets": {"file": str(secrets)},
            "channels": {"email": {"type": "smtp", "host": "smtp.example.cn", "sender": "a@b.cn", "port": port}}}


@pytest.mark.parametrize("kind", ["$env", "$file", "$secret"])
def test_a_value_from_a_reference_is_never_shown_in_an_error(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("YUQING_SMTP_PASSWORD", "SMTPPW555")
    (tmp_path / "password").write_text("SMTPPW555\n", encoding="utf-8")
    name = {"$env": "YUQING_SMTP_PASSWORD", "$file": str(tmp_path / "password"), "$secret": "smtp"}[kind]
    with pytest.raises(ConfigError, match="channels.email.smtp.port: Input should be a valid integer") as refused:
        config_from_mapping(smtp_port({kind: name}, tmp_path))
    assert "SMTPPW555" not in str(refused.value)


def test_a_referenced_value_is_masked_even_inside_a_validator_message(monkeypatch):
    monkeypatch.setenv("YUQING_TZ", "Hidden/Zone")
    with pytest.raises(ConfigError, match=r"timezone: Value error, unknown timezone '\*\*\*'") as refused:
        config_from_mapping({"timezone": {"$env": "YUQING_TZ"}})
    assert "Hidden/Zone" not in str(refused.value)


def test_a_literal_value_is_still_shown_in_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"channels.email.smtp.port: .* \(got 'five'\)"):
        config_from_mapping(smtp_port("five", tmp_path))
