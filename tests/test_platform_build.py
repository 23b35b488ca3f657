"""A driver built from its folder's data: the show-run layout, names, and the lab's shared device
base behave as each vendor's data says."""

from __future__ import annotations

import pytest

from nornir_config.lab.device import BaseDevice, port_kind, stable_mac
from nornir_config.lab.ports import ConfigState
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.platforms.base import read_naming
from nornir_config.running_config import flatten, format_blocks, parse_blocks


def test_a_view_is_printed_as_a_block_even_when_empty() -> None:
    """Comware prints a view (`vlan 998`) at column 0 between `#` lines even without lines of
    its own, and a setting with one space before it; both read back as top-level lines."""
    comware = driver("hp_comware")
    blocks = [
        ("vlan 998", ()),
        ("sysname x", ()),
        ("interface GigabitEthernet1/0/1", (" shutdown",)),
    ]
    text = format_blocks(blocks, comware)
    assert text == (
        "#\n sysname x\n#\nvlan 998\n#\ninterface GigabitEthernet1/0/1\n shutdown\n#\nreturn\n"
    )
    assert parse_blocks(text, comware) == [blocks[1], blocks[0], blocks[2]]
    assert flatten(text, comware).split("\n")[:4] == ["#", "sysname x", "#", "vlan 998"]


def test_a_line_without_children_is_a_leaf_where_no_view_is_named() -> None:
    """VRP names no view: a top-level line without children is printed indented (` vlan
    batch 10`), and IOS prints it at column 0."""
    huawei, cisco = driver("huawei_vrp"), driver("cisco_ios")
    blocks = [("vlan batch 10", ()), ("sysname x", ())]
    text = format_blocks(blocks, huawei)
    assert text == "#\n sysname x\n#\n vlan batch 10\n#\nreturn\n"
    assert parse_blocks(text, huawei) == [blocks[1], blocks[0]]
    assert format_blocks([("hostname x", ())], cisco) == "hostname x\n!\nend\n"


def test_names_come_from_the_drivers_data() -> None:
    naming = read_naming(
        {
            "hostname": "^[a-z]+$",
            "hostname_rule": "a rule",
            "reserved_vlans": "1, 1002-1005, 4094",
            "svi": "Vl{vlan}",
            "subinterface": "{port}:{vlan}",
        }
    )
    assert naming.reserved_vlans == frozenset({1, 1002, 1003, 1004, 1005, 4094})
    assert naming.svi(10) == "Vl10" and naming.subinterface("Gi0/1", 20) == "Gi0/1:20"
    assert naming.hostname.match("abc") and not naming.hostname.match("Abc")
    assert driver("cisco_ios").naming.reserved_vlans == frozenset({1, 1002, 1003, 1004, 1005})
    assert driver("huawei_vrp").naming.subinterface("GigabitEthernet0/0/1", 30) == "Vlanif30"
    assert driver("hp_comware").naming.svi(30) == "Vlan-interface30"


class _Counting(BaseDevice[None]):
    def __init__(self, spec: LabDeviceSpec) -> None:
        super().__init__(spec, None)
        self.built = 0

    def config_state(self) -> ConfigState:
        self.built += 1
        return ConfigState({}, {}, [], stable_mac(self.spec.name, 0x00A38E), False)


def test_the_config_state_is_derived_once_per_change() -> None:
    device = _Counting(LabDeviceSpec("sw1", "sw1", "x", "switch", ()))
    first = device.state()
    assert device.state() is first and device.built == 1
    device.changed_at += 1
    assert device.state() is not first and device.built == 2
    device.log_login("bob", "10.0.0.1", "wrong password")
    assert list(device.login_log) == ["login refused: user bob from 10.0.0.1: wrong password"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("GigabitEthernet0/1", "physical"),
        ("GigabitEthernet0/1.20", "subinterface"),
        ("Vlan10", "svi"),
        ("Loopback0", "loopback"),
        ("Tunnel1", "other"),
    ],
)
def test_port_kind(name: str, kind: str) -> None:
    assert port_kind(name, "Vlan", "Loopback", r"Gigabit") == kind
