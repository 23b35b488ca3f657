"""Netmiko's hp_comware driver, unchanged, against the lab's Comware devices over SSH."""

from __future__ import annotations

from netmiko import ConnectHandler

from nornir_config.lab.testing import RunningLab
from tests.comware.conftest import netmiko_params


def test_prompts_views_and_undo(h3c: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        assert conn.find_prompt() == "<H3C-S1>"
        assert conn.base_prompt == "H3C-S1"
        assert not conn.check_config_mode()
        output = conn.send_config_set(
            ["vlan 20", "name CAN-BO", "quit", "interface ge1/0/5", "port access vlan 20"]
        )
        assert "[H3C-S1-vlan20]" in output and "[H3C-S1-GigabitEthernet1/0/5]" in output
        assert conn.find_prompt() == "<H3C-S1>"
        block = conn.send_command(
            "display current-configuration | begin interface GigabitEthernet1/0/5"
        ).splitlines()
        assert block[:3] == ["interface GigabitEthernet1/0/5", " port access vlan 20", "#"]
        conn.send_config_set(["interface GigabitEthernet1/0/5", "undo port access vlan"])
        shown = conn.send_command("display current-configuration | include port access")
        assert "port access vlan 20" not in shown
        assert " name CAN-BO" in conn.send_command("display current-configuration | include name")


def test_errors_show_the_caret_under_the_bad_word(h3c: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        conn.config_mode()
        out = conn.send_command("vlan 5000", expect_string=r"\]")
        lines = out.splitlines()
        assert lines[-1].strip() == "% Wrong parameter found at '^' position."
        # the caret sits under the 5 of 5000, counted from the start of the prompt
        assert lines[-2].index("^") == len("[H3C-S1]vlan ")
        out = conn.send_command("sysname", expect_string=r"\]")
        assert "% Incomplete command found at '^' position." in out
        out = conn.send_command("interface GigabitEthernet9/9/9", expect_string=r"\]")
        assert "% Wrong parameter found at '^' position." in out
        out = conn.send_command("bogus words", expect_string=r"\]")
        assert out.splitlines()[-1].strip() == "% Unrecognized command found at '^' position."
        assert out.splitlines()[-2].index("^") == len("[H3C-S1]")
        conn.exit_config_mode()


def test_save_force_and_interactive_save(h3c: RunningLab) -> None:
    with ConnectHandler(**netmiko_params(h3c, "H3C-R1")) as conn:
        conn.send_config_set(["sysname TH-RT01"])
        conn.set_base_prompt()
        assert conn.find_prompt() == "<TH-RT01>"
        assert "successfully" in conn.save_config()
        assert " sysname TH-RT01" in conn.send_command("display saved-configuration")
        conn.send_config_set(["ntp-service unicast-server 10.38.1.123"])
        conn.exit_config_mode()
        out = conn.send_command_timing("save")
        assert "Are you sure? [Y/N]:" in out
        out = conn.send_command_timing("y")
        assert "[flash:/startup.cfg]" in out
        out = conn.send_command_timing("")
        assert "flash:/startup.cfg exists, overwrite? [Y/N]:" in out
        out = conn.send_command_timing("y")
        assert "Saved the current configuration to mainboard device successfully." in out
        saved = conn.send_command("display saved-configuration")
        assert "ntp-service unicast-server 10.38.1.123" in saved
        assert "startup.cfg" in conn.send_command("dir")


def test_logins_follow_the_device_config(h3c: RunningLab) -> None:
    import pytest
    from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        conn.send_config_set(
            [
                "local-user viewer class manage",
                "password simple Viewer-Pass1",
                "service-type ssh",
                "authorization-attribute user-role network-operator",
                "quit",
                "local-user telnetonly class manage",
                "password simple Other-Pass1",
                "service-type telnet",
            ]
        )
        shown = conn.send_command("display current-configuration | include password")
        assert "Viewer-Pass1" not in shown and "password hash $h$6$" in shown
    with ConnectHandler(
        **netmiko_params(h3c, "H3C-S1", username="viewer", password="Viewer-Pass1")
    ) as conn:
        out = conn.send_command_timing("system-view")
        assert "Permission denied" in out
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(**netmiko_params(h3c, "H3C-S1", username="viewer", password="wrong"))
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(
            **netmiko_params(h3c, "H3C-S1", username="telnetonly", password="Other-Pass1")
        )
    # an ACL on the SSH server that does not permit the NOC: the connection is cut
    with ConnectHandler(**netmiko_params(h3c, "H3C-S1")) as conn:
        conn.send_config_set(["acl basic 2001", "rule 0 permit source 192.0.2.0 0.0.0.255",
                              "quit", "ssh server acl 2001"])  # fmt: skip
    with pytest.raises(
        (NetmikoTimeoutException, NetmikoAuthenticationException, OSError, EOFError)
    ):
        ConnectHandler(**netmiko_params(h3c, "H3C-S1"))
