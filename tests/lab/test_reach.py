"""Management reachability gates SSH: a device its own or its neighbours' config cuts off from
the NOC refuses new connections (no banner, no login), an open session stalls until the path
is back, and the console always gets in. Driven with real Netmiko.

The office is tests/lab/office.py's cabling with routing an engineer would add: the router's
default route out of its WAN port, the switches' default gateway on the router.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, ReadTimeout

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab

from .office import ACCESS, CORE, ROUTER, SPECS

NOC = "10.38.1.10"
ROUTED = {
    "LAB-R1": [*ROUTER, "ip route 0.0.0.0 0.0.0.0 203.0.113.1"],
    "LAB-S1": CORE,  # ip default-gateway 10.1.99.1
    "LAB-S2": [*ACCESS, "ip default-gateway 10.1.99.1"],
}


def _configure(lab: RunningLab, name: str, lines: list[str], console: bool = False) -> None:
    params = lab.console_params(name) if console else lab.netmiko_params(name)
    with ConnectHandler(**params) as conn:
        conn.enable()
        output = conn.send_config_set(lines)
        assert "Invalid" not in output, output


def _answers(lab: RunningLab, name: str) -> bool:
    """A fresh Netmiko login gets a prompt; False when the connection itself is refused."""
    try:
        with ConnectHandler(**lab.netmiko_params(name, conn_timeout=3)) as conn:
            return conn.find_prompt().endswith("#")
    except NetmikoAuthenticationException:
        raise  # a login prompt that refused the password is not an unreachable device
    except Exception:
        return False


@pytest.fixture
def office(lab_factory: LabFactory) -> Iterator[RunningLab]:
    lab = lab_factory(specs=SPECS, client_address=NOC)
    for name, lines in ROUTED.items():
        _configure(lab, name, lines)
    assert all(_answers(lab, name) for name in ROUTED)  # the NOC has reached each one
    yield lab


def test_pruning_the_management_vlan_cuts_the_access_switch_off(office: RunningLab) -> None:
    held = ConnectHandler(**office.netmiko_params("LAB-S2"))
    try:
        assert held.find_prompt() == "LAB-S2#"
        _configure(
            office,
            "LAB-S1",
            ["interface GigabitEthernet1/1/2", " switchport trunk allowed vlan 10"],
        )
        assert not _answers(office, "LAB-S2")
        assert _answers(office, "LAB-S1") and _answers(office, "LAB-R1")
        refused = office.call(lambda: office.device("LAB-S2").login_log[-1])
        assert "does not answer" in refused or "no route" in refused, refused
        # the open session stalls, as TCP holds a session whose path is gone
        held.write_channel("show clock\n")
        with pytest.raises(ReadTimeout):
            held.read_until_pattern("LAB-S2#", read_timeout=1.5)
        # the console always gets in
        with ConnectHandler(**office.console_params("LAB-S2")) as console:
            assert console.find_prompt().startswith("LAB-S2")
        _configure(
            office,
            "LAB-S1",
            ["interface GigabitEthernet1/1/2", " switchport trunk allowed vlan 10,99"],
        )
        assert _answers(office, "LAB-S2")
        # the stalled session answers again once the path is back
        assert "UTC" in held.read_until_pattern("LAB-S2#", read_timeout=5)
        assert "UTC" in held.send_command("show clock")
    finally:
        held.disconnect()


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("LAB-S2", ["interface Vlan99", " shutdown"]),
        ("LAB-S2", ["interface Vlan99", " ip address 10.1.98.3 255.255.255.0"]),
        ("LAB-S2", ["no ip default-gateway 10.1.99.1"]),
        ("LAB-S2", ["line vty 0 15", " transport input telnet"]),
        (
            "LAB-S2",
            [
                "ip access-list standard VTY",
                " permit 10.99.0.0 0.0.255.255",
                "line vty 0 15",
                " access-class VTY in",
            ],
        ),
        ("LAB-S1", ["interface GigabitEthernet1/1/1", " shutdown"]),
    ],
    ids=["svi-shut", "svi-readdressed", "no-gateway", "no-ssh", "vty-acl", "core-uplink-shut"],
)
def test_a_config_that_cuts_the_noc_off_refuses_new_connections(
    office: RunningLab, name: str, lines: list[str]
) -> None:
    _configure(office, name, lines, console=True)
    assert not _answers(office, "LAB-S2")
    with ConnectHandler(**office.console_params("LAB-S2")) as console:
        assert console.find_prompt().startswith("LAB-S2")


def test_the_router_losing_its_route_to_the_noc_cuts_the_whole_office_off(
    office: RunningLab,
) -> None:
    _configure(office, "LAB-R1", ["no ip route 0.0.0.0 0.0.0.0 203.0.113.1"], console=True)
    assert not any(_answers(office, name) for name in ROUTED)
    # a route to the NOC's own network is enough
    _configure(office, "LAB-R1", ["ip route 10.38.0.0 255.255.0.0 203.0.113.1"], console=True)
    assert all(_answers(office, name) for name in ROUTED)


def test_a_device_never_reached_through_its_office_is_on_the_staging_bench(
    lab_factory: LabFactory,
) -> None:
    # a factory office: nothing routes yet, and every device still takes the push's login
    lab = lab_factory(specs=SPECS, client_address=NOC)
    assert all(_answers(lab, name) for name in ROUTED)


# -- interface ACLs on the path -----------------------------------------------------------
# IOS semantics (Cisco "Security Configuration Guide: Access Control Lists, IOS XE 17", IP
# Access List Overview; "access-list (IP extended)" command reference): first match wins, an
# implicit deny ends every list, an applied list that is not defined permits everything, an
# outbound list does not filter the router's own packets, `established` matches TCP replies.


@pytest.mark.parametrize(
    ("name", "lines", "cut"),
    [
        # the access switch's management SVI admits SSH from elsewhere only (named extended)
        (
            "LAB-S2",
            [
                "ip access-list extended MGMT-IN",
                " permit tcp 10.99.0.0 0.0.255.255 any eq 22",
                "interface Vlan99",
                " ip access-group MGMT-IN in",
            ],
            ("LAB-S2",),
        ),
        # the router's WAN drops SSH (numbered extended, then everything else permitted)
        (
            "LAB-R1",
            [
                "access-list 101 deny tcp any any eq 22",
                "access-list 101 permit ip any any",
                "interface GigabitEthernet0/0/0",
                " ip access-group 101 in",
            ],
            ("LAB-R1", "LAB-S1", "LAB-S2"),
        ),
        # the router forwards nothing from the NOC onto the management VLAN (numbered
        # standard, outbound): the router itself still answers
        (
            "LAB-R1",
            [
                "access-list 20 permit 10.99.0.0 0.0.255.255",
                "interface GigabitEthernet0/0/1.99",
                " ip access-group 20 out",
            ],
            ("LAB-S1", "LAB-S2"),
        ),
        # the replies are dropped on their way back: only web traffic leaves the management
        # VLAN (named extended, inbound on the router's subinterface)
        (
            "LAB-R1",
            [
                "ip access-list extended FROM-MGMT",
                " permit tcp 10.1.99.0 0.0.0.255 eq www any",
                "interface GigabitEthernet0/0/1.99",
                " ip access-group FROM-MGMT in",
            ],
            ("LAB-S1", "LAB-S2"),
        ),
    ],
    ids=["svi-named-in", "wan-numbered-in", "subif-standard-out", "subif-replies-in"],
)
def test_an_interface_acl_dropping_the_nocs_ssh_cuts_the_path(
    office: RunningLab, name: str, lines: list[str], cut: tuple[str, ...]
) -> None:
    _configure(office, name, lines, console=True)
    for device in ROUTED:
        assert _answers(office, device) == (device not in cut), device
    refused = office.call(lambda: office.device(cut[-1]).login_log[-1])
    assert "access list" in refused and "drops" in refused, refused


@pytest.mark.parametrize(
    "lines",
    [
        # SSH from the NOC and its replies permitted, the rest implicitly denied
        [
            "ip access-list extended MGMT-IN",
            " permit tcp host 10.38.1.10 host 10.1.99.1 eq 22",
            " permit tcp host 10.38.1.10 10.1.99.0 0.0.0.255 eq 22",
            "interface GigabitEthernet0/0/1.99",
            " ip access-group MGMT-IN out",
            "ip access-list extended MGMT-OUT",
            " permit tcp 10.1.99.0 0.0.0.255 eq 22 10.38.0.0 0.0.255.255 established",
            "interface GigabitEthernet0/0/1.99",
            " ip access-group MGMT-OUT in",
        ],
        # a list that is applied but not defined filters nothing
        ["interface GigabitEthernet0/0/0", " ip access-group NOT-DEFINED in"],
        # the router's own replies (from its WAN address) leave whatever its outbound list
        # says; the switches' replies pass it
        [
            "access-list 31 permit 10.1.99.0 0.0.0.255",
            "interface GigabitEthernet0/0/0",
            " ip access-group 31 out",
        ],
    ],
    ids=["ssh-permitted", "undefined-list", "own-replies"],
)
def test_an_acl_that_permits_the_nocs_ssh_keeps_the_path(
    office: RunningLab, lines: list[str]
) -> None:
    _configure(office, "LAB-R1", lines, console=True)
    reachable = {device: _answers(office, device) for device in ROUTED}
    assert all(reachable.values()), reachable


def test_ios_access_list_semantics_entry_by_entry() -> None:
    """The lab's own IOS ACL reading, packet by packet (references above)."""
    from ipaddress import IPv4Address as A

    from nornir_config.lab.ports import Packet
    from nornir_config.platforms.cisco_ios.lab import filters, hconfig

    running = hconfig.parse(
        "\n".join(
            [
                "access-list 10 permit host 10.38.1.10",
                "access-list 10 deny 10.38.1.0 0.0.0.255",
                "access-list 10 permit any",
                "access-list 2001 permit udp any any eq snmp",
                "ip access-list extended WEB",
                " 10 permit tcp any host 10.1.99.3 range 20 23",
                " 20 permit tcp any any eq www 443",
                " 30 deny tcp any any neq 25",
                " 40 permit tcp any eq telnet any established",
                " 50 permit tcp any any gt 1023",
                "ip access-list standard EMPTY",
            ]
        ),
        "cisco_ios",
    )
    lists = filters.access_lists(running)

    def ssh(src: str, dst: str, port: int = 22, sport: int = 51000, est: bool = False) -> Packet:
        return Packet("tcp", A(src), A(dst), sport, port, est)

    allow = functools.partial(filters.permits, lists)
    assert allow("10", ssh("10.38.1.10", "10.1.99.3"))  # first match wins
    assert not allow("10", ssh("10.38.1.11", "10.1.99.3"))
    assert allow("10", ssh("10.38.2.11", "10.1.99.3"))
    assert allow("2001", Packet("udp", A("1.1.1.1"), A("2.2.2.2"), 5000, 161))  # numbered ext.
    assert not allow("2001", ssh("1.1.1.1", "2.2.2.2"))  # implicit deny
    assert allow("WEB", ssh("1.1.1.1", "10.1.99.3"))  # range 20 23
    assert not allow("WEB", ssh("1.1.1.1", "10.1.99.4"))  # neq 25 denies it
    assert allow("WEB", ssh("1.1.1.1", "10.1.99.4", port=443))  # eq with two ports
    assert allow("WEB", ssh("1.1.1.1", "10.1.99.4", port=25, sport=23, est=True))
    assert not allow("WEB", ssh("1.1.1.1", "10.1.99.4", port=25, sport=23))  # not a reply
    assert not allow("WEB", Packet("udp", A("1.1.1.1"), A("10.1.99.3"), 5000, 22))
    assert allow("EMPTY", ssh("1.1.1.1", "2.2.2.2")) and allow("MISSING", ssh("1.1.1.1", "2.2.2.2"))


def test_vrp_traffic_filter_semantics() -> None:
    """VRP `traffic-filter inbound|outbound acl N`: the first matching rule decides, and a
    packet no rule matches passes (Huawei AR/S command reference, "traffic-filter": "If no rule
    is matched, IPv4 packets are allowed to pass through")."""
    from ipaddress import IPv4Address as A

    from nornir_config.lab.ports import Packet
    from nornir_config.platforms.huawei_vrp.lab import tree
    from nornir_config.platforms.huawei_vrp.lab.device import traffic_filter_permits

    running = tree.parse(
        "\n".join(
            [
                "acl number 3001",
                " rule 5 permit tcp source 10.38.1.10 0 destination-port eq 22",
                " rule 10 deny tcp destination-port eq 22",
                " rule 15 deny ip source 10.99.0.0 0.0.255.255",
            ]
        )
    )

    def ssh(src: str, port: int = 22) -> Packet:
        return Packet("tcp", A(src), A("10.1.99.3"), 51000, port)

    assert traffic_filter_permits(running, "3001", ssh("10.38.1.10"))
    assert not traffic_filter_permits(running, "3001", ssh("10.38.1.11"))
    assert not traffic_filter_permits(running, "3001", ssh("10.99.1.1", port=80))
    assert traffic_filter_permits(running, "3001", ssh("10.38.1.11", port=80))  # no rule: passes
    assert traffic_filter_permits(running, "3999", ssh("10.38.1.11"))  # no such ACL


# -- H3C Comware packet filters on the path -----------------------------------------------
# Comware 7 (H3C S12500R Security Command Reference, "Packet filter commands",
# https://www.h3c.com/en/d_202406/2194778_294551_0.htm; S12500 ACL configuration guide,
# "packet-filter { acl-number | name acl-name } { inbound | outbound }" in interface view):
# rules are matched in rule-ID order (`match-order config`) and the first match decides; a
# packet no rule matches is permitted unless `packet-filter default deny` is set.

H3C_WAN = "GigabitEthernet0/0"
H3C = LabDeviceSpec(
    "LAB-H1",
    "LAB-H1",
    "MSR2600-10-X1",
    "router",
    interfaces=(H3C_WAN, "GigabitEthernet0/1"),
    driver="hp_comware",
    day0="\n".join(
        [
            " sysname LAB-H1",
            " ssh server enable",
            "#",
            f"interface {H3C_WAN}",
            " ip address 203.0.113.2 255.255.255.252",
            "#",
            " ip route-static 0.0.0.0 0 203.0.113.1",
            "#",
            "line vty 0 63",
            " authentication-mode scheme",
            "#",
        ]
    ),
)
SSH_ONLY_FROM_NOC = [
    "acl advanced 3001",
    "rule 5 permit tcp source 10.38.1.10 0 destination-port eq 22",
    "rule 10 deny tcp destination-port eq ssh",
    "quit",
]


def _comware_answers(lab: RunningLab) -> bool:
    try:
        with ConnectHandler(**lab.netmiko_params("LAB-H1", conn_timeout=3)) as conn:
            return conn.find_prompt() == "<LAB-H1>"
    except NetmikoAuthenticationException:
        raise
    except Exception:
        return False


@pytest.fixture
def h3c_router(lab_factory: LabFactory) -> Iterator[RunningLab]:
    lab = lab_factory(specs=[H3C], client_address=NOC)
    assert _comware_answers(lab)  # the NOC has reached it over its WAN
    yield lab


@pytest.mark.parametrize(
    ("lines", "answers"),
    [
        # SSH from anyone but the NOC's own host is dropped: the NOC still gets in
        ([*SSH_ONLY_FROM_NOC, f"interface {H3C_WAN}", "packet-filter 3001 inbound"], True),
        # SSH (by its port name) dropped from everyone
        (
            [
                "acl advanced 3001",
                "rule 10 deny tcp destination-port eq ssh",
                "quit",
                f"interface {H3C_WAN}",
                "packet-filter 3001 inbound",
            ],
            False,
        ),
        # a basic ACL dropping the NOC's network, by source
        (
            [
                "acl basic 2000",
                "rule 5 deny source 10.38.0.0 0.0.255.255",
                "quit",
                f"interface {H3C_WAN}",
                "packet-filter 2000 inbound",
            ],
            False,
        ),
        # no rule matches the NOC's SSH: it passes
        (
            [
                "acl advanced 3002",
                "rule 5 deny udp destination-port eq snmp",
                "quit",
                f"interface {H3C_WAN}",
                "packet-filter 3002 inbound",
            ],
            True,
        ),
        # ... unless the default action is deny
        (
            [
                "acl advanced 3002",
                "rule 5 deny udp destination-port eq snmp",
                "quit",
                "packet-filter default deny",
                f"interface {H3C_WAN}",
                "packet-filter 3002 inbound",
            ],
            False,
        ),
        # the router's own replies leave whatever its outbound filter says
        (
            [
                "acl basic 2001",
                "rule 5 deny source 203.0.113.0 0.0.0.3",
                "quit",
                f"interface {H3C_WAN}",
                "packet-filter 2001 outbound",
            ],
            True,
        ),
    ],
    ids=["ssh-from-noc", "ssh-dropped", "basic-drops", "unmatched", "default-deny", "own-replies"],
)
def test_a_comware_packet_filter_on_the_path(
    h3c_router: RunningLab, lines: list[str], answers: bool
) -> None:
    with ConnectHandler(**h3c_router.console_params("LAB-H1")) as conn:
        output = conn.send_config_set(lines)
    assert "%" not in output, output
    assert _comware_answers(h3c_router) == answers
    if not answers:
        refused = h3c_router.call(lambda: h3c_router.device("LAB-H1").login_log[-1])
        assert "drops" in refused, refused


def test_comware_keeps_one_packet_filter_per_direction() -> None:
    """Each direction holds one IPv4 filter: a new inbound one replaces the old inbound one
    and leaves the outbound one (Comware 7 reference above)."""
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice

    device = ComwareDevice(H3C, None)
    lines = ["packet-filter 3001 inbound", "packet-filter 2000 outbound", "packet-filter 3002 in"]
    assert device.load_day0(f"interface {H3C_WAN}\n" + "".join(f" {x}\n" for x in lines)) == []
    port = device.config_state().ports[H3C_WAN]
    assert (port.acl_in, port.acl_out) == ("3002", "2000")
    assert "packet-filter 3001" not in device.text()
