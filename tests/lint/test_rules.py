"""Every device and province rule of the shipped packs: one config that passes, one that fails.

The passing configs are the shipped province's own rendered configs (one commune office: router,
core and access switch); each failing config is that config with one deliberate mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from nornir_config.lint.devicepass import render_views
from nornir_config.lint.engine import placeholder_secrets
from nornir_config.lint.kinds import KINDS
from nornir_config.lint.kinds.project import ProjectState
from nornir_config.lint.model import Rule
from nornir_config.lint.packs import select_packs
from nornir_config.lint.parsed import parse
from nornir_config.lint.registry import DeviceView, Hit
from nornir_config.platforms import driver
from nornir_config.sot.province import load_province
from tests.conftest import REPO, province_root

CODE = "14797"  # a phuong: router, core switch sw01, access switch sw02
WIFI_ACL = "ip access-list extended ACL-WIFI-KHACH-IN"
# The zone ACLs' DHCP entries: to the broadcast address and to the zone's own gateway only.
DHCP_ENTRIES = (
    r"(?: permit udp any eq bootpc host 255\.255\.255\.255 eq bootps\n)"
    r"(?: permit udp any eq bootpc host \S+ eq bootps\n)"
)

Views = dict[str, DeviceView]
Mutation = Callable[[Views], Views]


def edit(role: str, pattern: str, repl: str, count: int = 1) -> Mutation:
    """Change the config of `role` (router, sw01, sw02) by one regex substitution."""

    def mutate(views: Views) -> Views:
        view = views[role]
        text, n = re.subn(pattern, repl, view.parsed.text, count=count, flags=re.MULTILINE)
        assert n, f"mutation {pattern!r} found nothing in {role}"
        out = dict(views)
        out[role] = replace(view, parsed=parse(text, driver("cisco_ios")), _interfaces=None)
        return out

    return mutate


def duplicate_mgmt_address(views: Views) -> Views:
    gateway = views["router"].context["zone"]["mgmt"]["gateway"]
    return edit("sw02", r"^( ip address )\S+( 255\.255\.255\.224)$", rf"\g<1>{gateway}\2")(views)


UNUSED = (
    " switchport access vlan 999\n switchport mode access\n switchport nonegotiate\n shutdown\n"
)

CASES: dict[str, Mutation] = {
    "IOS-AAA-001": edit("router", r"^aaa new-model\n", ""),
    "IOS-AAA-002": edit("router", r"^aaa authentication login default .*\n", ""),
    "IOS-AAA-003": edit(
        "sw01", r"^username admin privilege 15 secret 9 \S+", "username admin password 0 x"
    ),
    "IOS-AAA-004": edit("sw01", r"^username .*\n", ""),
    "IOS-AAA-005": edit("router", r"^enable secret 9 \S+", "enable secret 5 $1$abcd$efgh"),
    "IOS-AAA-006": edit("router", r"^(enable secret 9 \S+)", r"\1\nenable password cisco"),
    "IOS-SSH-001": edit("router", r"^ip ssh version 2$", "ip ssh version 1"),
    "IOS-VTY-001": edit("sw02", r"^ transport input ssh$", " transport input telnet ssh"),
    "IOS-VTY-002": edit("sw02", r"^ access-class ACL-VTY in\n", ""),
    "IOS-VTY-003": edit("router", r"^ exec-timeout 10 0$", " exec-timeout 0 0"),
    "IOS-LOGIN-001": edit("router", r"^login block-for .*\n", ""),
    "IOS-SVC-001": edit("sw01", r"^no ip http server$", "ip http server"),
    "IOS-SVC-002": edit("router", r"^no service pad$", "service pad"),
    "IOS-SVC-003": edit("router", r"^service password-encryption\n", ""),
    "IOS-SVC-004": edit("sw02", r"^ip scp server enable$", "tftp-server flash:archive"),
    "IOS-LOG-001": edit("router", r"^logging host 10\.38\.2\.51\n", ""),
    "IOS-LOG-002": edit("sw01", r"^service timestamps log .*\n", ""),
    "IOS-NTP-001": edit("router", r"^ntp authenticate\n", ""),
    "IOS-NTP-002": edit("router", r"^ntp server 10\.38\.2\.123 key 1$", "ntp server 10.38.2.123"),
    "IOS-NTP-003": edit("router", r"^ntp server 10\.38\.2\.123 key 1\n", ""),
    "IOS-SNMP-001": edit(
        "router", r"^snmp-server view", "snmp-server community public RO\nsnmp-server view"
    ),
    "IOS-SNMP-002": edit("router", r" v3 priv read ", " v3 auth read "),
    "IOS-BANNER-001": edit("router", r"^banner motd \^C\n(?:.*\n)*?\^C\n", ""),
    "IOS-WAN-001": edit("router", r"^no ip source-route\n", ""),
    "IOS-WAN-002": edit("router", r"^ no ip proxy-arp\n", ""),
    "IOS-L2-001": edit("sw02", r"^ spanning-tree bpduguard enable\n", ""),
    "IOS-L2-002": edit("sw02", r"^ storm-control broadcast level 10\.00\n", ""),
    "IOS-L2-003": edit("sw01", r"^ip dhcp snooping vlan \S+$", "ip dhcp snooping vlan 20,30"),
    "IOS-L2-004": edit("sw01", r"^ip dhcp snooping\n", ""),
    "IOS-L2-005": edit("sw02", r"^ip arp inspection vlan \S+$", "ip arp inspection vlan 20"),
    "IOS-L2-006": edit(
        "sw01", r"^ switchport trunk native vlan 998$", " switchport trunk native vlan 1"
    ),
    "IOS-L2-007": edit("sw02", UNUSED, UNUSED.replace("999", "20")),
    "IOS-L2-008": edit("sw02", UNUSED, UNUSED.replace(" shutdown\n", "")),
    "IOS-REF-001": edit(
        "router", r"^ ip access-group ACL-CAN-BO-IN in$", " ip access-group ACL-CANBO-IN in"
    ),
    "VN2-ZONE-001": edit(
        "router",
        r"^(ip access-list extended ACL-WIFI-KHACH-IN\n(?: .*\n)*?) deny ip any 10\.0\.0\.0 0\.255\.255\.255\n",
        r"\1",
    ),
    "VN2-ZONE-002": edit("router", r"^ ip access-group ACL-HOI-NGHI-IN in\n", ""),
    "VN2-ZONE-003": edit(
        "router",
        rf"^({WIFI_ACL}\n{DHCP_ENTRIES})(?: deny ip any \S+ \S+\n)+",
        r"\1",
    ),
    "VN2-ADM-001": edit("sw01", r"^ transport input ssh$", " transport input telnet"),
    "VN2-LOG-001": edit("sw02", r"^logging host 10\.38\.1\.51\n", ""),
    "VN2-LOG-002": edit("router", r"^ntp server 10\.38\.1\.123 ", "ntp server 10.99.1.123 "),
    "VN2-AUTH-001": edit("sw01", r"^aaa authentication login default .*\n", ""),
    "VN2-BAK-001": edit("router", r"^ write-memory\n", ""),
    "VN2-ADDR-001": duplicate_mgmt_address,
    "VN2-WAN-001": edit(
        "router", r"^ip route 0\.0\.0\.0 0\.0\.0\.0 \S+", "ip route 0.0.0.0 0.0.0.0 100.99.0.1"
    ),
    "VN2-VLAN-001": edit("sw02", r"^vlan 40\n name HOI-NGHI\n", ""),
}


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    return {r.id: r for p in select_packs([], REPO) for r in p.rules}


@pytest.fixture(scope="module")
def office() -> Views:
    """The shipped configs of one office, as rendered from the shipped templates."""
    province = load_province(province_root() / "hosts", REPO / "templates")
    devices = [d for d in province.devices if d.code == CODE]
    state = ProjectState(province_root(), REPO / "templates")
    views = render_views(devices, state, placeholder_secrets(devices), province.defaults)
    return {v.name.rsplit("-", 1)[1].replace("rt01", "router"): v for v in views}


def run_rule(rule: Rule, views: Views) -> list[tuple[str, Hit]]:
    kind = KINDS[rule.kind]
    applicable = [v for v in views.values() if v.role in rule.roles]
    if kind.scope == "province":
        return list(kind.run(rule, applicable))
    return [(v.name, hit) for v in applicable for hit in kind.run(rule, v)]


def test_every_config_rule_has_a_case(rules: dict[str, Rule]) -> None:
    config_rules = {i for i, r in rules.items() if KINDS[r.kind].scope != "project"}
    assert config_rules == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_then_fails(rule_id: str, rules: dict[str, Rule], office: Views) -> None:
    rule = rules[rule_id]
    assert run_rule(rule, office) == []
    hits = run_rule(rule, CASES[rule_id](office))
    assert hits, f"{rule_id} did not catch its failing config"


def test_former_dhcp_entry_reaches_tslcd(rules: dict[str, Rule], office: Views) -> None:
    """The zone check reads the ACL: udp 68->67 to any destination really reaches TSLCD."""
    broken = edit("router", DHCP_ENTRIES, " permit udp any eq bootpc any eq bootps\n", count=0)(
        office
    )
    hits = run_rule(rules["VN2-ZONE-001"], broken)
    assert {h.message.split(" (")[0] for _, h in hits} == {"zone wifi", "zone camera"}
    assert all("bootpc any eq bootps" in h.message for _, h in hits)


def test_dhcp_to_the_own_gateway_is_what_the_allow_lets_through(
    rules: dict[str, Rule], office: Views
) -> None:
    """Without the gateways in its `allow`, VN2-ZONE-001 flags exactly the DHCP entries to them."""
    rule = rules["VN2-ZONE-001"]
    allow = {
        key: [path for path in paths if not path.endswith(".gateway")]
        for key, paths in rule.params["allow"].items()
    }
    assert allow != rule.params["allow"]
    strict = replace(rule, params={**rule.params, "allow": allow})
    zone = office["router"].context["zone"]
    hits = run_rule(strict, office)
    reached = {h.message.split(" reaches ")[1].split(" ")[0]: h.message for _, h in hits}
    assert set(reached) == {f"{zone[k]['gateway']}/32" for k in ("wifi", "camera")}
    for net, message in reached.items():
        assert f"'permit udp any eq bootpc host {net[:-3]} eq bootps'" in message


def test_dhcp_to_another_zones_gateway_is_caught(rules: dict[str, Rule], office: Views) -> None:
    """Only the zone's own gateway is allowed: the staff gateway is in TSLCD and in staff."""
    zone = office["router"].context["zone"]
    wifi_gw, staff_gw = zone["wifi"]["gateway"], zone["staff"]["gateway"]
    moved = edit(
        "router",
        rf"^( permit udp any eq bootpc host ){re.escape(wifi_gw)}( eq bootps)$",
        rf"\g<1>{staff_gw}\2",
    )(office)
    for rule_id in ("VN2-ZONE-001", "VN2-ZONE-003"):
        hits = run_rule(rules[rule_id], moved)
        assert [h.message.split(" reaches ")[1].split(" ")[0] for _, h in hits] == [
            f"{staff_gw}/32"
        ], rule_id


def test_wifi_reaching_the_one_stop_zone_is_caught(rules: dict[str, Rule], office: Views) -> None:
    """VN2-ZONE-003 covers both zones its title names, whatever TSLCD's networks are."""
    onestop = office["router"].context["zone"]["onestop"]
    opened = edit(
        "router",
        rf"^({WIFI_ACL}\n{DHCP_ENTRIES})",
        rf"\1 permit ip any {onestop['network']} {onestop['wildcard']}\n",
    )(office)
    hits = run_rule(rules["VN2-ZONE-003"], opened)
    assert [h.message.split(" reaches ")[1].split(" ")[0] for _, h in hits] == [onestop["prefix"]]


def test_camera_recorder_may_reach_only_the_vms(rules: dict[str, Rule], office: Views) -> None:
    wider = edit("router", r"^( permit ip host \S+ host )\S+$", r"\g<1>10.38.9.9")(office)
    hits = run_rule(rules["VN2-ZONE-001"], wider)
    assert len(hits) == 1 and "10.38.9.9/32" in hits[0][1].message


def test_config_archive_missing_or_unbounded(rules: dict[str, Rule], office: Views) -> None:
    rule = rules["VN2-BAK-001"]
    gone = edit("sw01", r"^archive\n(?: .*\n)+", "")(office)
    assert [(n, h.message) for n, h in run_rule(rule, gone)] == [
        (office["sw01"].name, "no section matches '^archive$'")
    ]
    for maximum in ("0", "15"):
        wide = edit("sw02", r"^ maximum 14$", f" maximum {maximum}")(office)
        hits = run_rule(rule, wide)
        assert len(hits) == 1 and "maximum" in hits[0][1].message, maximum


def test_scp_server_is_accepted(rules: dict[str, Rule], office: Views) -> None:
    """`ip scp server enable` (file transfer over SSH) is in every shipped config and no rule
    flags it; the clear-text transfers IOS-SVC-004 forbids are caught on the same line."""
    config_rules = [r for r in rules.values() if KINDS[r.kind].scope != "project"]
    for view in office.values():
        assert "\nip scp server enable\n" in view.parsed.text, view.name
    assert [r.id for r in config_rules if run_rule(r, office)] == []
    for line in ("ip rcmd rcp-enable", "ip rcmd rsh-enable", "tftp-server flash:x.cfg"):
        clear = edit("router", r"^ip scp server enable$", line)(office)
        hits = run_rule(rules["IOS-SVC-004"], clear)
        assert [h.message for _, h in hits] == [f"forbidden line '{line}'"]


def test_unique_addresses_over_digests_names_each_clash() -> None:
    """The province check over the devices' digests (addresses kept as integers): a duplicate
    address, a subnet used by two communes and a subnet overlapping another commune's wider
    one are each reported, in dotted form; one commune's own overlaps are not."""
    from ipaddress import IPv4Address

    from nornir_config.lint.kinds.province import AddressDigest, unique_addresses

    def ip(text: str) -> int:
        return int(IPv4Address(text))

    digests = [
        AddressDigest("A-R1", "100", ((ip("10.1.0.1"), 24, 5), (ip("10.9.0.1"), 16, 6))),
        AddressDigest("A-S1", "100", ((ip("10.1.0.2"), 24, 7), (ip("10.9.4.1"), 24, 8))),
        AddressDigest("B-R1", "200", ((ip("10.1.0.1"), 24, 9), (ip("10.2.0.1"), 30, 3))),
        AddressDigest("C-R1", "300", ((ip("10.2.0.0"), 28, 4),)),
    ]
    rule = Rule("VN2-ADDR-001", "error", "t", "r", (), "unique_addresses", {}, "vn-level2")
    hits = [(name, hit.message, hit.line) for name, hit in unique_addresses(rule, digests)]
    assert (
        "B-R1",
        "subnet 10.1.0.0/24 of commune 200 is also used by commune 100 (A-R1)",
        9,
    ) in hits
    used = "address 10.1.0.1 is used on 2 interfaces (A-R1, B-R1)"
    assert ("A-R1", used, 5) in hits and ("B-R1", used, 9) in hits
    assert (
        "B-R1",
        "subnet 10.2.0.0/30 of commune 200 overlaps 10.2.0.0/28 of commune 300 (C-R1)",
        3,
    ) in hits
    assert not [h for h in hits if h[0] == "A-S1"]  # 10.9.4.0/24 inside its own commune's /16
    assert len(hits) == 4
