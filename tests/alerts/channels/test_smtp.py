"""E-mail channel against a local aiosmtpd server: text + HTML alternative, escaping, login, failures."""

from __future__ import annotations

import pytest

from alerts.channels import DeliveryError, build_channels
from tests.alerts.channels.samples import ACK_URL, make_config, make_message
from tests.alerts.servers import SMTP_PASSWORD, SMTP_USER


def parts_of(email):
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    return text, html


def test_an_email_arrives_with_subject_text_and_html_parts(smtp_channel, smtp_server):
    smtp_channel.send(make_message(), "officer@example.gov.cn")
    (email,) = smtp_server.messages
    assert smtp_server.envelopes == [("yuqing@example.gov.cn", ["officer@example.gov.cn"])]
    assert smtp_server.logins == [SMTP_USER]
    assert email["Subject"] == "【橙色预警 · 新告警】红梅街道某小区地下车库起火"
    text, html = parts_of(email)
    assert "事件：红梅街道某小区地下车库起火" in text and f"确认收到：{ACK_URL}" in text
    assert f'<a href="{ACK_URL}"' in html and "标记误报</a>" in html
    assert "<td>红梅街道</td>" in html


def test_html_in_post_text_is_escaped_in_the_html_part(smtp_channel, smtp_server):
    smtp_channel.send(make_message(title="<script>alert(1)</script>", excerpt='<a href="http://evil">x</a>'),
                      "officer@example.gov.cn")
    text, html = parts_of(smtp_server.messages[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://evil" not in html.replace("&#34;http://evil&#34;", "")
    assert '<a href="http://evil">' not in html
    assert "<script>alert(1)</script>" in text  # plain text is inert as it is


def test_a_wrong_password_is_not_retried_and_not_shown(smtp_server):
    config = make_config({"mail": {"type": "smtp", "host": smtp_server.host, "port": smtp_server.port,
                                   "username": SMTP_USER, "password": "wrong-password-123", "sender": "a@b.cn",
                                   "timeout_s": 2}})
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["mail"].send(make_message(), "officer@example.gov.cn")
    assert not failed.value.retryable and "535" in failed.value.reason
    assert "wrong-password-123" not in str(failed.value)


def test_starttls_on_a_server_without_it_is_a_non_retryable_error(smtp_server):
    config = make_config({"mail": {"type": "smtp", "host": smtp_server.host, "port": smtp_server.port,
                                   "starttls": True, "sender": "a@b.cn", "timeout_s": 2}})
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["mail"].send(make_message(), "officer@example.gov.cn")
    assert not failed.value.retryable and smtp_server.messages == []


def test_an_unreachable_server_is_retryable(smtp_server):
    config = make_config({"mail": {"type": "smtp", "host": "127.0.0.1", "port": 1, "sender": "a@b.cn",
                                   "timeout_s": 1, "password": SMTP_PASSWORD}})
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["mail"].send(make_message(), "officer@example.gov.cn")
    assert failed.value.retryable and "127.0.0.1:1" in failed.value.reason


def test_an_address_that_is_not_an_email_is_refused_before_connecting(smtp_channel, smtp_server):
    with pytest.raises(DeliveryError) as failed:
        smtp_channel.send(make_message(), "13800138000")
    assert not failed.value.retryable and smtp_server.messages == []
