"""The lab's own model of IOS-XE: how typed commands combine, and how `show running-config`
prints them, checked against public IOS-XE output rather than against the engine's renderer.

References (public IOS-XE 16/17 running configs, read for layout, not copied):
- Catalyst 9200L, IOS-XE 17.6: LibGR/CUBCalifornieDocs
  docs/Infrastructure/Configurations/SwitchLv3.md - ` 10 permit tcp any any established`,
  ` 30 deny   ip ...` (deny padded to permit's width), consecutive `ip access-list` blocks and
  `line` blocks without `!`, `vrf definition Mgmt-vrf` with ` !` before each address family
  and `exit-address-family` after it, `control-plane` / ` service-policy input
  system-cpp-policy`, `end` last.
- Catalyst 9300, IOS-XE 16.6 and 17.14 and a CSR1000v 16.12 (public show-run samples found by
  the code search): `enable secret` with the logging lines before `aaa new-model`,
  `aaa session-id common` directly followed by `switch 1 provision`, `boot system` between the
  boot markers on routers and after the AAA lines on a Catalyst 9000.
- Cisco IOS-XE command references: `banner` text prints between `^C` delimiters whatever
  delimiter was typed; named ACL entries get sequence numbers 10, 20, ... unless given.
"""

from __future__ import annotations

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms.cisco_ios.lab.cli import Cli
from nornir_config.platforms.cisco_ios.lab.device import LabDevice


def typed(*lines: str, role: str = "switch", day0: str | None = None) -> str:
    cli = Cli(LabDevice(LabDeviceSpec("S1", "S1", role=role, day0=day0)), "t")
    cli.feed("configure terminal")
    for line in lines:
        assert "%" not in cli.feed(line).output, line
    cli.feed("end")
    return cli.device.body()


def test_named_acl_entries_are_numbered_and_deny_padded() -> None:
    body = typed(
        "ip access-list extended WEB",
        "permit tcp any any eq 443",
        "deny ip any any log",
        "15 permit tcp any any eq 80",
        "ip access-list standard VTY",
        "permit 10.38.1.0 0.0.0.255",
    )
    assert (
        "ip access-list extended WEB\n"
        " 10 permit tcp any any eq 443\n"
        " 15 permit tcp any any eq 80\n"
        " 20 deny   ip any any log\n"
        "ip access-list standard VTY\n"
        " 10 permit 10.38.1.0 0.0.0.255\n"
        "!\n"
    ) in body


def test_acl_entries_are_removed_by_content_or_number() -> None:
    body = typed(
        "ip access-list extended A",
        "permit ip host 10.0.0.1 any",
        "permit ip host 10.0.0.2 any",
        "permit ip host 10.0.0.3 any",
        "no permit ip host 10.0.0.1 any",
        "no 30",
    )
    assert "ip access-list extended A\n 20 permit ip host 10.0.0.2 any\n!" in body


def test_banner_prints_with_ctrl_c_delimiters() -> None:
    cli = Cli(LabDevice(LabDeviceSpec("S1", "S1", role="switch")), "t")
    for line in ("configure terminal", "banner login #", "Authorised staff only", "#", "end"):
        cli.feed(line)
    assert "\nbanner login ^C\nAuthorised staff only\n^C\n!\n" in cli.device.body()


def test_interfaces_print_virtual_around_the_ports() -> None:
    body = typed("interface Vlan10", "interface Loopback0", "interface Port-channel1")
    order = [line for line in body.splitlines() if line.startswith("interface ")]
    assert order[:2] == ["interface Loopback0", "interface Port-channel1"]
    assert order[2] == "interface GigabitEthernet1/0/1"
    assert order[-2:] == ["interface Vlan1", "interface Vlan10"]


def test_single_valued_commands_replace_in_place() -> None:
    body = typed(
        "interface Vlan10",
        "ip address 10.0.0.1 255.255.255.0",
        "ip address 10.0.0.2 255.255.255.0 secondary",
        "ip address 10.0.0.9 255.255.255.0",
        "exit",
        "ip ssh version 1",
        "ip ssh version 2",
        "username ops privilege 1 secret 9 $9$a$b",
        "username ops privilege 15 secret 9 $9$c$d",
    )
    assert (
        "interface Vlan10\n ip address 10.0.0.9 255.255.255.0\n"
        " ip address 10.0.0.2 255.255.255.0 secondary\n"
    ) in body
    assert body.count("ip ssh version") == 1 and body.count("username ops ") == 1


def test_negations_ios_keeps_and_defaults_it_hides() -> None:
    body = typed("no ip http server", "no ip domain lookup", "interface g1/0/2", "shutdown")
    assert "\nno ip http server\n" in body and "\nip http server\n" not in body
    assert "\nno ip domain lookup\n" in body
    assert "interface GigabitEthernet1/0/2\n shutdown\n" in body
    again = typed("ip domain lookup", "interface g1/0/2", "shutdown", "no shutdown")
    assert "domain lookup" not in again  # the default is not printed
    assert "interface GigabitEthernet1/0/2\n!" in again


def test_no_and_default_remove_what_they_name() -> None:
    body = typed(
        "logging host 10.0.0.1",
        "logging host 10.0.0.2",
        "no logging host 10.0.0.1",
        "interface g1/0/3",
        "description gone",
        "switchport access vlan 30",
        "exit",
        "default interface g1/0/3",
        "no username cisco",
    )
    assert "logging host 10.0.0.1" not in body and "logging host 10.0.0.2" in body
    assert "interface GigabitEthernet1/0/3\n!" in body
    assert "username cisco" not in body


def test_vrf_address_families_print_with_their_exits() -> None:
    body = typed(
        "vrf definition Mgmt-vrf",
        "address-family ipv4",
        "exit-address-family",
        "address-family ipv6",
    )
    assert (
        "vrf definition Mgmt-vrf\n !\n address-family ipv4\n exit-address-family\n !\n"
        " address-family ipv6\n exit-address-family\n!\n"
    ) in body


def test_layout_of_the_top() -> None:
    body = typed("hostname S2", "enable secret 9 $9$x$y", "no logging console", "aaa new-model")
    assert body.startswith("version 17.9\nservice timestamps debug datetime msec\n")
    assert "\nno logging console\nenable secret 9 $9$x$y\n!\naaa new-model\n" in body
    assert body.endswith("!\nend\n")
