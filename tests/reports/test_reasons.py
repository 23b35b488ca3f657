"""Why a device was not read, from the connection layer's own wording to an auditor's words."""

from __future__ import annotations

import socket

import pytest
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

from nornir_config.compliance.model import DeviceResult
from nornir_config.connection import REASON_CLASSES, failure_reason, reason_class, why
from nornir_config.reports.findings import reason_text


@pytest.mark.parametrize(
    ("exc", "kind", "vi"),
    [
        (NetmikoTimeoutException("Pattern not detected in output"), "timeout", "hết thời gian"),
        (NetmikoTimeoutException("TCP connection to device failed."), "unreachable", "đường mạng"),
        (TimeoutError("timed out"), "timeout", "hết thời gian chờ"),
        (ConnectionRefusedError(111, "Connection refused"), "refused", "từ chối kết nối"),
        (NetmikoAuthenticationException("Authentication to device failed."), "auth", "mật khẩu"),
        (socket.gaierror(-2, "Name or service not known"), "dns", "không tìm thấy địa chỉ"),
        (OSError(113, "No route to host"), "unreachable", "không có đường mạng"),
        (ValueError("something else"), "other", "lỗi khác"),
    ],
)
def test_reason_words(exc: BaseException, kind: str, vi: str) -> None:
    assert reason_class(why(exc)) == kind and kind in REASON_CLASSES
    device = DeviceResult("x-rt01", "unknown", "live", reason=kind, error=why(exc))
    assert reason_text(device, "vi").startswith("không kết nối được: ")
    assert vi in reason_text(device, "vi")
    assert "NetmikoTimeoutException" not in reason_text(device, "en")


def test_the_cause_behind_netmikos_wording() -> None:
    """Netmiko re-raises a refused or timed-out socket as "TCP connection to device failed"
    (netmiko/base_connection.py, establish_connection); the cause is kept."""
    for cause, kind in (
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (TimeoutError("timed out"), "timeout"),
    ):
        try:
            try:
                raise cause
            except OSError:
                raise NetmikoTimeoutException("TCP connection to device failed.") from None
        except NetmikoTimeoutException as exc:
            exc.__context__ = cause
            assert reason_class(failure_reason(exc)) == kind


def test_backup_reasons() -> None:
    assert reason_class("no backup at build/backups/x-rt01.cfg") == "no_backup"
    assert reason_class("not fetched") == "not_fetched"
