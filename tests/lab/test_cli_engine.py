"""The IOS command line without SSH: modes, grammar, config combining, printing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.lab.cli import CONFIG_BANNER, Cli
from nornir_config.platforms.cisco_ios.lab.device import LabDevice
from nornir_config.push.diff import remediation

RENDERED = """\
version 17.9
!
service timestamps debug datetime msec
!
hostname TH-TEST-SW01
!
username admin privilege 15 secret 9 $9$abc$def
!
vlan 10
 name MGMT
!
vlan 20
 name STAFF
!
interface GigabitEthernet1/0/1
 description staff
 switchport access vlan 20
 switchport mode access
!
interface Vlan10
 ip address 10.38.0.2 255.255.255.0
!
no ip http server
no ip http secure-server
!
ip ssh version 2
!
ip scp server enable
!
ip access-list extended MGMT
 remark management only
 permit ip 10.38.0.0 0.0.0.255 any
 deny ip any any log
!
banner motd ^C
Authorized access only
^C
!
line vty 0 4
 login local
 transport input ssh
!
end
"""


def make_cli(role: str = "switch", privilege: int = 15, day0: str | None = None) -> Cli:
    spec = LabDeviceSpec("SW1", "SW1", "C9200L-24P-4G", role, (), day0)
    return Cli(LabDevice(spec), "tester", privilege)


def run(cli: Cli, *lines: str) -> list[str]:
    return [cli.feed(line).output for line in lines]


def body(cli: Cli) -> str:
    return cli.device.body()


def test_prompts_and_modes() -> None:
    cli = make_cli()
    assert cli.prompt == "SW1#"
    assert run(cli, "conf t") == [CONFIG_BANNER + "\n"]
    assert cli.prompt == "SW1(config)#"
    run(cli, "int g1/0/2")
    assert cli.prompt == "SW1(config-if)#"
    run(cli, "exit", "line vty 0 4")
    assert cli.prompt == "SW1(config-line)#"
    run(cli, "policy-map PM", "class VIDEO")
    assert cli.prompt == "SW1(config-pmap-c)#"
    run(cli, "ip dhcp pool STAFF")
    assert cli.prompt == "SW1(dhcp-config)#"
    run(cli, "end")
    assert cli.prompt == "SW1#"
    run(cli, "conf t", "int vlan 10")
    cli.ctrl_z()
    assert cli.prompt == "SW1#"
    run(cli, "tclsh")
    assert cli.prompt == "SW1(tcl)#"


def test_hostname_changes_prompt_at_once_and_is_single_valued() -> None:
    cli = make_cli()
    run(cli, "conf t", "hostname A", "hostname B")
    assert cli.prompt == "B(config)#"
    assert "hostname A" not in body(cli)


def test_invalid_input_caret_under_the_bad_word() -> None:
    cli = make_cli()
    run(cli, "conf t")
    out = cli.feed("interface GigabitEthernet1/0/1 bogus").output
    assert out.splitlines()[0] == " " * len("SW1(config)#interface GigabitEthernet1/0/1 ") + "^"
    assert out.splitlines()[1] == "% Invalid input detected at '^' marker."
    assert cli.feed("ip").output == "% Incomplete command.\n\n"
    assert (
        run(cli, "end", "show foo")[1].splitlines()[1] == "% Invalid input detected at '^' marker."
    )


def test_abbreviations_are_stored_in_full() -> None:
    cli = make_cli()
    run(cli, "conf t", "int g1/0/3", "sw mode acc", "sw acc vl 20", "desc x", "end")
    # IOS prints an interface's lines in its own order, not as typed: description first,
    # then the access VLAN before the mode (Cisco Catalyst 9200 IOS-XE 17.6 running config,
    # LibGR/CUBCalifornieDocs docs/Infrastructure/Configurations/SwitchLv3.md).
    assert (
        "interface GigabitEthernet1/0/3\n description x\n switchport access vlan 20\n"
        " switchport mode access\n" in body(cli)
    )
    assert run(cli, "sh run | i hostname") == ["hostname SW1\n"]
    assert "Current privilege level is 15" in run(cli, "sh priv")[0]


def test_global_command_in_sub_mode_drops_back() -> None:
    cli = make_cli()
    run(cli, "conf t", "interface g1/0/1", "hostname NEW")
    assert cli.prompt == "NEW(config)#"


def test_no_forms_and_cruft_cleanup() -> None:
    cli = make_cli()
    assert "vlan 99" in body(cli) and "ip http server" in body(cli)
    run(cli, "conf t", "no vlan 99", "no ip http server", "no username cisco", "line vty 0 4")
    run(cli, "transport input ssh", "end")
    text = body(cli)
    assert "vlan 99" not in text and "username cisco" not in text
    assert "no ip http server" in text
    assert " transport input ssh" in text and "telnet" not in text


def test_banner_multi_line_any_delimiter() -> None:
    cli = make_cli()
    run(cli, "conf t")
    assert "End with the character '#'" in cli.feed("banner motd #").output
    run(cli, "line one", "line two#", "end")
    assert "banner motd ^C\nline one\nline two\n^C\n" in body(cli)


def test_configured_from_a_rendered_file_prints_it_back() -> None:
    cli = make_cli()
    cli.device.flash.write("candidate.txt", RENDERED.encode())
    out = cli.feed("configure replace flash:candidate.txt force").output
    assert "Rollback Done" in out
    shown = cli.feed("show running-config").output
    assert shown.startswith("Building configuration...\n\nCurrent configuration : ")
    assert shown.split("\n")[4].startswith("! Last configuration change at ")
    printed = body(cli)
    # The lab prints as IOS does, not as the templates lay it out; what matters to the engine
    # is that it reads the same config back (nothing to send), and that the printing is
    # stable (a config read back from the lab prints the same).
    ports = "".join(
        f"interface GigabitEthernet1/{m}/{n}\n"
        for m, count in ((0, 24), (1, 4))
        for n in range(1, count + 1)
        if (m, n) != (0, 1)
    )
    expected = RENDERED.replace("!\ninterface Vlan10", "!\n" + ports + "!\ninterface Vlan10")
    assert remediation(printed, expected, driver("cisco_ios")) == []
    again = make_cli()
    again.device.flash.write("candidate.txt", printed.encode())
    again.feed("configure replace flash:candidate.txt force")
    assert body(again) == printed


def test_same_config_typed_line_by_line() -> None:
    cli = make_cli(day0="")
    cli.device.flash.write("candidate.txt", RENDERED.encode())
    run(cli, "configure replace flash:candidate.txt force")
    replaced = body(cli)
    typed = make_cli(day0="")
    for line in RENDERED.splitlines():
        if line in ("end", "!") or line.startswith(("version", "banner", "Authorized", "^C")):
            continue
        if not line.startswith(" "):
            run(typed, "end", "conf t")
        typed.feed(line.strip())
    run(typed, "end", "conf t", "banner motd ^C", "Authorized access only", "^C", "end")
    assert body(typed) == replaced


@pytest.mark.parametrize("command", ["wr", "write memory", "copy running-config startup-config"])
def test_save(command: str) -> None:
    cli = make_cli()
    run(cli, "conf t", "hostname SAVED", "end")
    out = cli.feed(command).output
    if "Destination filename" in out:
        out = cli.feed("").output
    assert out == "Building configuration...\n[OK]\n"
    assert "hostname SAVED" in cli.feed("show startup-config").output


def test_enable_password_prompt() -> None:
    cli = make_cli(privilege=1)
    assert cli.feed("enable").output == "% No password set\n"  # no enable secret yet
    cli.privilege = 15
    run(cli, "conf t", "enable secret s3cret", "end", "disable")
    # IOS-XE 17 stores a clear enable secret as a type 9 (scrypt) hash
    assert "\nenable secret 9 $9$" in body(cli) and "s3cret" not in body(cli)
    assert cli.prompt == "SW1>"
    assert cli.feed("enable").output == "Password: " and not cli.echo
    assert cli.feed("wrong").output == "Password: "
    cli.feed("s3cret")
    assert cli.prompt == "SW1#"


def test_pipes() -> None:
    cli = make_cli()
    assert run(cli, "show running-config | section line vty")[0] == (
        "line vty 0 4\n login local\n transport input telnet ssh\n"
    )
    assert run(cli, "sh run | b ^line con")[0].startswith("line con 0\n")
    assert run(cli, "sh run | exclude .") == ["\n"]  # the blank header line


GOLDEN = sorted((Path(__file__).parents[1] / "golden").glob("*.cfg"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_rendered_golden_config_prints_back(path: Path) -> None:
    """The templates' output, loaded with `configure replace`, is what `show run` prints."""
    text = path.read_text(encoding="utf-8")
    role = "router" if "-rt" in path.stem else "switch"
    cli = make_cli(role=role)
    cli.device.flash.write("candidate.txt", text.encode())
    out = cli.feed("configure replace flash:candidate.txt force revert trigger error").output
    assert "Rollback Done" in out
    printed = body(cli)
    assert remediation(printed, text, driver("cisco_ios")) == []


def test_a_typed_file_name_is_the_one_ios_copies_to_or_deletes() -> None:
    """`Destination filename [x]?` and `Delete filename [x]?`: Enter takes the name in
    brackets, a typed one is the file IOS goes on with (Cisco IOS Configuration
    Fundamentals, "Managing Configuration Files": the prompt offers the default name)."""
    cli = make_cli()
    assert run(cli, "copy running-config flash:a.cfg") == ["Destination filename [a.cfg]? "]
    copied = cli.feed("b.cfg").output
    assert " bytes copied in " in copied, copied
    flash = cli.device.flash
    assert flash.read("b.cfg") is not None and flash.read("a.cfg") is None
    run(cli, "copy running-config flash:c.cfg", "")  # Enter: the name in brackets
    assert flash.read("c.cfg") is not None
    assert run(cli, "delete flash:c.cfg", "b.cfg") == ["Delete filename [c.cfg]? ", ""]
    assert flash.read("b.cfg") is None and flash.read("c.cfg") is not None
    assert run(cli, "delete flash:c.cfg", "nothere.cfg")[1] == (
        "%Error deleting nothere.cfg (No such file or directory)\n"
    )
    assert run(cli, "delete flash:c.cfg", "")[1] == "" and flash.read("c.cfg") is None
