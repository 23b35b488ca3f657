"""Values checked as IOS checks them, by one grammar for typed lines and config files: each
invalid value is refused with IOS's answer (caret under the bad word, in every mode, or IOS's
own message), and nothing changes.

References for the answers: Cisco IOS-XE 17 command references (`vlan` takes 1-4094,
`hostname` follows ARPANET host-name rules: a letter first, letters, digits and hyphens);
IOS's "Bad mask 0x... for address ..." for a non-contiguous netmask and "Command rejected: Bad
VLAN list" for an out-of-range VLAN are the messages printed on a real device.
"""

from __future__ import annotations

import pytest
from netmiko import ConnectHandler

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab
from nornir_config.platforms.cisco_ios.lab.cli import Cli
from nornir_config.platforms.cisco_ios.lab.device import LabDevice

INVALID = "% Invalid input detected at '^' marker."


def make_cli(role: str = "switch") -> Cli:
    cli = Cli(LabDevice(LabDeviceSpec("SW1", "SW1", role=role)), "tester")
    cli.feed("configure terminal")
    return cli


def caret_at(output: str) -> int:
    """The column of the caret in an `% Invalid input` answer."""
    first = output.split("\n")[0]
    assert first.strip() == "^" and INVALID in output, output
    return first.index("^")


# (mode entry lines, bad line, the word the caret must point at)
CARETS = [
    ([], "vlan abc", "abc"),
    ([], "ntp server not-an-ip", "not-an-ip"),
    ([], "logging host 999.1.1.1", "999.1.1.1"),
    ([], "ip default-gateway 10.0.0.300", "10.0.0.300"),
    (["interface g1/0/1"], "switchport access vlan 5000", "5000"),
    (["interface g1/0/1"], "switchport trunk native vlan 0", "0"),
    (["interface g1/0/1"], "ip helper-address nowhere", "nowhere"),
    (["line vty 0 4"], "privilege level 16", "16"),
    (["vlan 10"], "state sleepy", "sleepy"),
    (["ip access-list standard A"], "frobnicate any", "frobnicate"),
]


@pytest.mark.parametrize(("enter", "line", "word"), CARETS, ids=[c[1] for c in CARETS])
def test_caret_under_the_bad_value_in_every_mode(enter: list[str], line: str, word: str) -> None:
    cli = make_cli()
    for entry in enter:
        assert cli.feed(entry).output == ""
    before = cli.device.body()
    prompt = cli.prompt
    out = cli.feed(line).output
    # IOS echoes the line after the prompt; the caret sits under the first bad character.
    assert caret_at(out) == len(prompt) + line.index(word)
    assert cli.device.body() == before
    assert cli.prompt == prompt  # still in the same mode


MESSAGES = [
    ([], "vlan 4095", "Command rejected: Bad VLAN list - character #5 (EOL)"),
    ([], "vlan 0", "Command rejected: Bad VLAN list - character #2 (EOL)"),
    ([], "vlan 10,5000", "Command rejected: Bad VLAN list - character #8 (EOL)"),
    ([], "hostname 1bad", "% Hostname contains one or more illegal characters."),
    ([], "hostname bad_name", "% Hostname contains one or more illegal characters."),
    (["interface Vlan10"], "ip address 10.0.0.1 255.0.255.0", "Bad mask 0xFF00FF00 for address"),
    (
        ["interface g1/0/2"],
        "switchport trunk allowed vlan 10,4095",
        "Command rejected: Bad VLAN list - character #8",
    ),
]


@pytest.mark.parametrize(("enter", "line", "message"), MESSAGES, ids=[m[1] for m in MESSAGES])
def test_refused_with_ios_message_and_nothing_changes(
    enter: list[str], line: str, message: str
) -> None:
    cli = make_cli()
    for entry in enter:
        cli.feed(entry)
    before = cli.device.body()
    out = cli.feed(line).output
    assert out.startswith(message), out
    assert cli.device.body() == before


def test_valid_values_are_taken() -> None:
    """The same slots accept what IOS accepts (the checks above are not just refusals)."""
    cli = make_cli()
    for line in (
        "vlan 4094",
        "vlan 1",
        "hostname Sw-2",
        "ntp server 10.38.1.123",
        "logging host 10.38.1.50",
        "interface Vlan10",
        "ip address 10.0.0.1 255.255.255.252",
        "exit",
    ):
        assert cli.feed(line).output == "", line
    body = cli.device.body()
    for line in ("vlan 4094", "hostname Sw-2", "ntp server 10.38.1.123", " ip address 10.0.0.1"):
        assert line in body


def test_a_config_file_is_checked_by_the_same_grammar() -> None:
    """`copy`/`configure replace`/day-0 files: the bad lines are refused, the rest is taken."""
    cli = make_cli()
    text = "\n".join(
        [
            "hostname 1bad",
            "vlan 4095",
            "vlan 30",
            " name OK",
            "interface Vlan30",
            " ip address 10.0.0.1 255.0.255.0",
            "ntp server not-an-ip",
            "logging host 999.1.1.1",
            "logging host 10.0.0.9",
            "end",
        ]
    )
    tree, errors = cli.load_file(text)
    assert errors == [
        "hostname 1bad",
        "vlan 4095",
        "ip address 10.0.0.1 255.0.255.0",
        "ntp server not-an-ip",
        "logging host 999.1.1.1",
    ]
    kept = [child.text for child in tree.children]
    assert kept == ["vlan 30", "interface Vlan30", "logging host 10.0.0.9"]


def test_refused_over_ssh_with_the_caret_netmiko_sees(lab: RunningLab) -> None:
    """Through a real client: Netmiko's output holds IOS's answer, the config is unchanged."""
    before = lab.call(lambda: lab.device("LAB-S1").body())
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        out = conn.send_config_set(["interface g1/0/3", "switchport access vlan 5000", "vlan 0"])
    assert INVALID in out and "Command rejected: Bad VLAN list" in out
    caret = next(line for line in out.splitlines() if line.strip() == "^")
    assert caret.index("^") == len("LAB-S1(config-if)#switchport access vlan ")
    assert lab.call(lambda: lab.device("LAB-S1").body()) == before
