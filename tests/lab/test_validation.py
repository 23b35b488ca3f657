"""Values checked as IOS checks them, by one grammar for typed lines and config files: each
invalid value is refused with IOS's answer (caret under the bad word, in every mode, or IOS's
own message), and nothing changes.

References for the answers (read, not copied):
- `vlan` takes 1-4094 (Cisco IOS-XE 17 command reference). The "Command rejected: Bad VLAN
  list" texts, with IOS's own line breaks, follow transcripts of real switches: internap's
  netman tests (`vlan 2999` on a VTP-limited switch: "character #5 (EOL) delimits a VLAN" /
  "number which is out of the range 1..4094."), internap/fake-switches' Cisco tests (`vlan -1`:
  "character #1 ('-') delimits a VLAN number" / " which is out of the range 1..4094.") and a
  lab write-up's `vlan database` typed in config mode ("character #1 is a non-numeric" /
  "character ('d').").
- `hostname`: Cisco IOS Configuration Fundamentals Command Reference, "hostname": the name
  follows ARPANET rules, and an illegal one "will be accepted after an error is returned"
  (`Router(config)#hostname 123` / `% Hostname contains one or more illegal characters.` /
  `123(config)#`); public transcripts show the same for `hostname IT@L3` and `host 1`.
- "Bad mask 0xFF00FF00 for address 172.16.1.1" (non-contiguous) and "Bad mask /24 for address
  172.16.1.0" (a subnet's own network or broadcast address): W. Odom, CCNA 200-301 Official
  Cert Guide vol. 1, ch. 17 transcript; "Bad mask 0xFFFFFF19 for address 2.2.2.2" in a public
  lab transcript.
- The caret: Cisco "Using the Command-Line Interface" (IOS configuration fundamentals): the
  `^` marks the point in the command string where the parser found the error; the typed line
  follows the prompt, so its column counts the prompt of the mode the line was typed in (not
  confirmed on hardware for every sub-mode).
- A word that is not an address where IOS wants one: the caret under it, "% Invalid input
  detected at '^' marker.". Where IOS also takes a host name (`ntp server`, `logging host`:
  "Hostname or A.B.C.D") and domain lookup is on (its default), it first tries DNS and prints
  `Translating "WORD"...domain server (255.255.255.255)`, then the line again with the caret
  under it (a public CCNA lab transcript of `do sh ip route local`; Cisco "Translating ...
  domain server" transcripts of mistyped commands).
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
    (["no ip domain lookup"], "ntp server not-an-ip", "not-an-ip"),
    (["no ip domain lookup"], "logging host 999.1.1.1", "999.1.1.1"),
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


OUT_OF_RANGE = "delimits a VLAN\nnumber which is out of the range 1..4094.\n"
MESSAGES = [
    ([], "vlan 4095", f"Command rejected: Bad VLAN list - character #5 (EOL) {OUT_OF_RANGE}"),
    ([], "vlan 0", f"Command rejected: Bad VLAN list - character #2 (EOL) {OUT_OF_RANGE}"),
    ([], "vlan 10,5000", f"Command rejected: Bad VLAN list - character #8 (EOL) {OUT_OF_RANGE}"),
    (
        [],
        "vlan 5000-5010",
        "Command rejected: Bad VLAN list - character #5 ('-') delimits a VLAN number\n"
        " which is out of the range 1..4094.\n",
    ),
    (
        [],
        "vlan abc",
        "Command rejected: Bad VLAN list - character #1 is a non-numeric\ncharacter ('a').\n",
    ),
    (
        [],
        "vlan 10,2x",
        "Command rejected: Bad VLAN list - character #5 is a non-numeric\ncharacter ('x').\n",
    ),
    (
        ["interface Vlan10"],
        "ip address 10.0.0.1 255.0.255.0",
        "Bad mask 0xFF00FF00 for address 10.0.0.1\n",
    ),
    (
        ["interface Vlan10"],
        "ip address 172.16.1.0 255.255.255.0",
        "Bad mask /24 for address 172.16.1.0\n",
    ),
    (
        ["interface Vlan10"],
        "ip address 172.16.1.255 255.255.255.0",
        "Bad mask /24 for address 172.16.1.255\n",
    ),
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


@pytest.mark.parametrize("name", ["1bad", "bad_name", "123"])
def test_an_illegal_hostname_is_warned_about_and_taken_as_ios_does(name: str) -> None:
    cli = make_cli()
    out = cli.feed(f"hostname {name}").output
    assert out == "% Hostname contains one or more illegal characters.\n"
    assert cli.prompt == f"{name}(config)#"
    assert f"hostname {name}" in cli.device.body()
    assert cli.feed("hostname Sw-2").output == ""  # a legal one: no warning


@pytest.mark.parametrize(
    ("line", "word"),
    [("ntp server not-an-ip", "not-an-ip"), ("logging host 999.1.1.1", "999.1.1.1")],
)
def test_a_host_name_ios_cannot_resolve_is_looked_up_then_refused(line: str, word: str) -> None:
    cli = make_cli()  # factory: domain lookup on
    before = cli.device.body()
    out = cli.feed(line).output
    lookup, blank, echoed, caret, invalid = out.split("\n")[:5]
    assert lookup == f'Translating "{word}"...domain server (255.255.255.255)' and blank == ""
    assert echoed == line and caret.index("^") == line.index(word) and invalid == INVALID
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
        "ip address 10.0.0.5 255.255.255.254",
        "exit",
        "ip route 10.50.0.0 255.255.0.0 10.0.0.2",
    ):
        assert cli.feed(line).output == "", line
    body = cli.device.body()
    for line in ("vlan 4094", "hostname Sw-2", "ntp server 10.38.1.123", " ip address 10.0.0.5"):
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
        "vlan 4095",
        "ip address 10.0.0.1 255.0.255.0",
        "ntp server not-an-ip",
        "logging host 999.1.1.1",
    ]
    kept = [child.text for child in tree.children]
    # IOS takes an illegal hostname with a warning (see the module's references)
    assert kept == ["hostname 1bad", "vlan 30", "interface Vlan30", "logging host 10.0.0.9"]


def test_refused_over_ssh_with_the_caret_netmiko_sees(lab: RunningLab) -> None:
    """Through a real client: Netmiko's output holds IOS's answer, the config is unchanged."""
    before = lab.call(lambda: lab.device("LAB-S1").body())
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        out = conn.send_config_set(["interface g1/0/3", "switchport access vlan 5000", "vlan 0"])
    assert INVALID in out and "Command rejected: Bad VLAN list" in out
    caret = next(line for line in out.splitlines() if line.strip() == "^")
    assert caret.index("^") == len("LAB-S1(config-if)#switchport access vlan ")
    assert lab.call(lambda: lab.device("LAB-S1").body()) == before
