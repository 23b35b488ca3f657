"""The revert timer is asked for only where the device can run one, in no round trip of its own.

Cisco IOS refuses `configure terminal revert timer` without `archive` ("%Please turn config
archive on before using Rollback Confirmed Change": Cisco, Configuration Rollback Confirmed
Change, Managing Configuration Files Configuration Guide); a merge then goes on without it.
"""

from __future__ import annotations

from nornir_config.platforms import driver
from nornir_config.push import revert


def test_no_timer_is_asked_without_archive() -> None:
    assert revert.start_lines(driver("cisco_ios"), "hostname a\n!\nline vty 0 4\n") == []


def test_the_timer_and_the_way_out_of_config_mode_with_archive() -> None:
    running = "hostname a\n!\narchive\n path flash:archive\n!\n"
    lines = revert.start_lines(driver("cisco_ios"), running)
    assert lines == ["configure terminal revert timer 5", "end"]


def test_a_refused_timer_is_seen_in_the_answer() -> None:
    cisco = driver("cisco_ios")
    refused = "%Please turn config archive on before using Rollback Confirmed Change\na#end\na#"
    assert not revert.started(cisco, refused)
    assert revert.started(cisco, "Enter configuration commands, one per line.\na(config)#end\na#")


def test_drivers_without_a_timer_ask_for_none() -> None:
    for name in ("huawei_vrp", "hp_comware"):
        assert revert.start_lines(driver(name), "archive\n") == []
