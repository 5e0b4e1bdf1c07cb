"""One send has one deadline, ``timeout_s``, for the whole exchange — connect, write, the complete answer — held to
half of the dispatcher's lease; a failure after the request went out is *maybe delivered*, one before it is not."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from alerts.channels import DeliveryError, build_channels
from tests.alerts.channels.samples import make_config, make_message
from tests.alerts.servers import RobotServer

GREETING = b"220 slow.example ESMTP\r\n"


def _failure(channel) -> tuple[DeliveryError, float]:
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failed:
        channel.send(make_message(), "zhangsan")
    return failed.value, time.monotonic() - started


@pytest.mark.parametrize("name", ["wecom", "dingtalk", "sms"])
def test_an_endpoint_trickling_its_answer_is_cut_at_the_deadline_and_may_have_shown_the_message(
        robot_channels, robot_server: RobotServer, name):
    robot_server.mode, robot_server.trickle_seconds = "trickle", 0.15  # each byte in time, the answer takes 2 s+
    error, took = _failure(robot_channels[name])
    assert took < 1.2  # timeout_s = 0.5 for the whole send
    assert error.retryable and error.maybe_delivered and "timed out" in error.reason
    assert len(robot_server.requests) == 1


def test_an_endpoint_that_answers_late_may_have_shown_the_message(robot_channels, robot_server: RobotServer):
    robot_server.mode, robot_server.slow_seconds = "slow", 2.0
    error, took = _failure(robot_channels["wecom"])
    assert took < 1.2
    assert error.retryable and error.maybe_delivered and "maybe delivered" in error.reason
    assert robot_server.wecom_url.split("?")[1] not in error.reason


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_is_retryable_and_surely_not_delivered():
    url = f"http://127.0.0.1:{_closed_port()}/cgi-bin/webhook/send?key=k"
    channel = build_channels(make_config({"wecom": {"type": "wecom", "webhook": url, "timeout_s": 0.5}}))["wecom"]
    error, _ = _failure(channel)
    assert error.retryable and not error.maybe_delivered


def test_a_timeout_longer_than_half_the_lease_is_cut_to_half_the_lease(robot_server: RobotServer):
    config = make_config({"wecom": {"type": "wecom", "webhook": robot_server.wecom_url, "timeout_s": 10}},
                         lease_seconds=1.0)
    robot_server.mode, robot_server.slow_seconds = "slow", 3.0
    error, took = _failure(build_channels(config)["wecom"])
    assert 0.4 < took < 1.0 and "0.5 s" in error.reason


@pytest.fixture
def trickling_smtp() -> Iterator[int]:
    """A mail server that greets one byte every 0.15 s, each in time for a 0.5 s read timeout; its port."""
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def greet() -> None:
        connection, _ = server.accept()
        with connection:
            for index in range(len(GREETING)):
                if done.wait(0.15):
                    return
                connection.sendall(GREETING[index:index + 1])
            done.wait(5)

    threading.Thread(target=greet, daemon=True).start()
    yield server.getsockname()[1]
    done.set()
    server.close()


def test_a_mail_server_trickling_its_replies_is_cut_at_the_deadline(trickling_smtp: int):
    config = make_config({"mail": {"type": "smtp", "host": "127.0.0.1", "port": trickling_smtp,
                                   "sender": "a@b.cn", "timeout_s": 0.5}})
    started = time.monotonic()
    with pytest.raises(DeliveryError) as failed:
        build_channels(config)["mail"].send(make_message(), "leader@example.gov.cn")
    assert time.monotonic() - started < 1.2  # the greeting alone would take 3.6 s
    assert failed.value.retryable and "timed out" in failed.value.reason
