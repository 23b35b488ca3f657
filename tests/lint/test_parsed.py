"""The lint's one-pass config reader agrees with hier_config; the ACL evaluator errs safe."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hier_config import Platform, get_hconfig

from nornir_config.lint.acl import leaks, span
from nornir_config.lint.devicepass import render_views
from nornir_config.lint.engine import placeholder_secrets
from nornir_config.lint.kinds.project import ProjectState
from nornir_config.lint.parsed import Node, parse
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.acl import parse_entry
from nornir_config.sot.province import load_province
from tests.conftest import REPO, province_root

SEQUENCE = re.compile(r"^\d+ ")


def _tree(node: Node) -> tuple[str, tuple[object, ...]]:
    return node.text.strip(), tuple(_tree(c) for c in node.children)


@pytest.mark.parametrize("code", ["14797", "16522"])
def test_parse_agrees_with_hier_config(code: str) -> None:
    province = load_province(province_root() / "hosts", REPO / "templates")
    devices = [d for d in province.devices if d.code == code]
    state = ProjectState(province_root(), REPO / "templates")
    views = render_views(devices, state, placeholder_secrets(devices), province.defaults)
    assert {v.role for v in views} == {"router", "switch"}
    for view in views:
        mine = {n.text: n for n in view.parsed.top}
        hier = get_hconfig(Platform.CISCO_IOS, view.parsed.text)
        checked = 0
        for section in hier.children:
            if section.text.startswith("banner "):
                continue
            node = mine[section.text]  # every hier_config section is one of ours
            ours = {c.text.strip(): c for c in node.children}
            for child in section.children:
                # hier_config numbers ACL entries; the rendered config does not.
                text = SEQUENCE.sub("", child.text)
                assert text in ours, (section.text, child.text)
                grand = {g.text.strip() for g in ours[text].children}
                assert {g.text for g in child.children} <= grand
                checked += 1
        assert checked > 50


def test_parse_nesting_banner_and_line_numbers() -> None:
    text = (
        "hostname x\n!\npolicy-map P\n class C\n  set dscp af41\n!\n"
        "banner motd ^C\nline one\n indented\n^C\n!\ninterface G1\n shutdown\nend\n"
    )
    parsed = parse(text, driver("cisco_ios"))
    assert [(n.text, n.line) for n in parsed.top] == [
        ("hostname x", 1),
        ("policy-map P", 3),
        ("banner motd ^C", 7),
        ("interface G1", 12),
    ]
    assert _tree(parsed.top[1]) == ("policy-map P", (("class C", (("set dscp af41", ()),)),))
    assert [c.text for c in parsed.top[2].children] == ["line one", " indented", "^C"]
    assert parsed.top[3].children[0].line == 13
    assert " shutdown" in parsed.top[3].lineset


def net(text: str) -> tuple[int, int]:
    return span(ipaddress.IPv4Network(text))


def entries(*lines: str) -> list[tuple[int, object]]:
    out = []
    for number, line in enumerate(lines, start=1):
        entry = parse_entry(line, True)
        assert entry is not None
        out.append((number, entry))
    return out


def test_acl_deny_then_permit_any_is_closed() -> None:
    acl = entries("deny ip any 10.0.0.0 0.255.255.255", "permit ip 10.1.0.0 0.0.0.255 any")
    assert leaks(acl, net("10.1.0.0/24"), [net("10.0.0.0/8")]) == []  # type: ignore[arg-type]


def test_acl_protocol_specific_deny_does_not_close() -> None:
    acl = entries("deny tcp any 10.0.0.0 0.255.255.255", "permit ip any any")
    found = leaks(acl, net("10.1.0.0/24"), [net("10.0.0.0/8")])  # type: ignore[arg-type]
    assert [line for line, _, _ in found] == [2]


def test_acl_deny_for_part_of_the_source_does_not_close() -> None:
    acl = entries("deny ip host 10.1.0.5 any", "permit ip any 10.9.0.0 0.0.255.255")
    found = leaks(acl, net("10.1.0.0/24"), [net("10.0.0.0/8")])  # type: ignore[arg-type]
    assert found and found[0][2] == [ipaddress.IPv4Network("10.9.0.0/16")]


def test_acl_unreadable_wildcard_counts_as_open() -> None:
    acl = entries("deny ip any 10.0.0.0 0.255.0.255", "permit ip any any")
    assert leaks(acl, net("10.1.0.0/24"), [net("10.0.0.0/8")])  # type: ignore[arg-type]


def test_acl_allowed_host_is_not_a_leak() -> None:
    acl = entries("permit ip host 10.1.0.10 host 10.38.4.20", "deny ip any any log")
    source, target = net("10.1.0.0/24"), net("10.0.0.0/8")
    assert leaks(acl, source, [target], [net("10.38.4.20/32")]) == []  # type: ignore[arg-type]
    assert leaks(acl, source, [target])  # type: ignore[arg-type]
