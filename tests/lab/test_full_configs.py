"""The lab takes the full intended configs `communelan render` produces, by every path a push
uses: typed line by line (Netmiko), merged as a hier_config remediation (push merge), replaced
whole (NAPALM `configure replace`), and reads back compliant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from napalm import get_network_driver
from netmiko import ConnectHandler

from nornir_config.compliance.run import run_compliance
from nornir_config.connection import prepare_connections
from nornir_config.hier import parse
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.platforms.cisco_ios.lab.cli import Cli
from nornir_config.platforms.cisco_ios.lab.device import LabDevice
from nornir_config.project import Project, open_project
from nornir_config.push import Outcome, PushOptions, run_push
from nornir_config.push.diff import remediation
from nornir_config.render import render_device
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import province_root, write_intended

REPO = Path(__file__).resolve().parents[2]
CODE = "14797"  # Hac Thanh: a router, a core switch (sw01) and access switches
HOSTS = tuple(f"hac-thanh-{CODE}-{role}" for role in ("rt01", "sw01", "sw02"))
FILTERS = [f"code={CODE}", f"host={','.join(HOSTS)}"]
ERRORS = r"% Invalid|% Incomplete|% Ambiguous"
IOS = driver("cisco_ios")


@dataclass
class Site:
    """A project root whose .lab/ holds the three devices at day 0, and their rendered configs."""

    root: Path
    lab: RunningLab
    secrets: Secrets
    rendered: dict[str, str]

    def project(self) -> Project:
        set_run_settings(RunSettings(root=self.root, lab=True))
        return open_project(FILTERS)

    def running(self, name: str) -> str:
        return self.lab.call(lambda: self.lab.device(name).body())

    def non_compliant(self) -> dict[str, list[str]]:
        p = self.project()
        prepare_connections(p.nr, p.settings)
        report = run_compliance(p.nr, p.province, self.secrets, p.settings.templates_dir)
        assert sorted(d.host for d in report.devices) == sorted(HOSTS)
        return {d.host: d.failed_features() for d in report.devices if d.status != "compliant"}


@pytest.fixture
def site(
    tmp_path: Path, lab_factory: LabFactory, test_secrets: Secrets, at_root: None
) -> Iterator[Site]:
    project = open_project(FILTERS)
    province = project.province
    rendered = {
        n: render_device(province.device(n), province, test_secrets, project.settings.templates_dir)
        for n in HOSTS
    }
    specs = [
        LabDeviceSpec(n, n, d.model, d.role, tuple(d.interfaces))
        for n in HOSTS
        for d in [province.device(n)]
    ]
    lab = lab_factory(specs=specs)
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(province_root() / name)
    (root / ".lab").symlink_to(lab.lab_dir)
    write_intended(root, rendered)
    previous = run_settings()
    yield Site(root, lab, test_secrets, rendered)
    set_run_settings(previous)


def test_rendered_configs_are_full_ios(site: Site) -> None:
    """What the lab must take: comments, ACL entries, AAA sub-modes, `line con 0`, a banner."""
    router, switch = site.rendered[HOSTS[0]], site.rendered[HOSTS[1]]
    for line in (
        "\n!\n",
        "\n permit 10.38.1.0 0.0.0.255\n",
        "\n permit udp any eq bootpc host 255.255.255.255 eq bootps\n",
        "\naaa group server tacacs+ ",
        "\ntacacs server ",
        "\nline con 0\n",
        "\nbanner motd ^C\n",
        "\n encapsulation dot1Q 10\n",
        "\n  service-policy QOS-TSLCD\n",
    ):
        assert line in router, line
    for line in ("\nno ip dhcp snooping information option\n", "\nip default-gateway "):
        assert line in switch, line


def test_every_rendered_line_typed_is_accepted(site: Site) -> None:
    """Netmiko types each line (`!` comments included); nothing is refused, and everything
    rendered is then in the running config (day-0 extras aside: typing does not remove)."""
    for name, text in site.rendered.items():
        lines = text.splitlines()[:-1]  # without `end`
        start = lines.index(next(line for line in lines if line.startswith("banner ")))
        stop = lines.index("^C", start)
        with ConnectHandler(**site.lab.netmiko_params(name)) as conn:
            conn.send_config_set(lines[:start] + lines[stop + 1 :], error_pattern=ERRORS)
            output = conn.send_config_set(lines[start : stop + 1], cmd_verify=False)
            assert "% " not in output
        running = site.running(name)
        missing = parse(text, IOS).difference(parse(running, IOS))
        assert list(missing.dump_simple()) == [], name


def test_merge_push_of_full_configs(site: Site) -> None:
    """Day 0 -> intended by remediation: changed, nothing left over, then a no-op; compliant."""
    first = run_push(site.project(), PushOptions())
    assert {h: r.outcome for h, r in first.reports.items()} == dict.fromkeys(
        HOSTS, Outcome.CHANGED
    ), {h: r.reason for h, r in first.reports.items()}
    assert all(len(r.commands) > 100 for r in first.reports.values())
    for name, text in site.rendered.items():
        assert remediation(site.running(name), text, driver("cisco_ios")) == [], name
    second = run_push(site.project(), PushOptions())
    assert {h: r.outcome for h, r in second.reports.items()} == dict.fromkeys(
        HOSTS, Outcome.UNCHANGED
    )
    assert all(r.commands == [] for r in second.reports.values())
    assert site.non_compliant() == {}


def test_napalm_replace_of_full_configs(site: Site) -> None:
    """NAPALM `configure replace` of each rendered config: the device then prints it back in
    its own layout (ACL entries numbered, as IOS-XE prints them) with nothing for the engine
    to change, is compliant, and a merge push finds nothing to send."""
    for name, text in site.rendered.items():
        device: Any = get_network_driver("ios")(**site.lab.napalm_args(name))
        device.open()
        try:
            device.load_replace_candidate(config=text)
            diff = str(device.compare_config())
            assert "+tacacs server TACACS-1" in diff and "-username cisco" in diff
            device.commit_config()
            assert device.compare_config() == ""
        finally:
            device.close()
        with ConnectHandler(**site.lab.netmiko_params(name)) as conn:
            shown = str(conn.send_command("show running-config"))
        assert remediation(shown, text, driver("cisco_ios")) == [], name
        assert "\n 10 permit 10.38.1.0 0.0.0.255\n" in shown
    assert site.non_compliant() == {}
    again = run_push(site.project(), PushOptions())
    assert {r.outcome for r in again.reports.values()} == {Outcome.UNCHANGED}


def _typed(lines: list[str], role: str = "switch") -> tuple[Cli, list[str]]:
    """A fresh day-0 device with `lines` typed in config mode; the error answers."""
    cli = Cli(LabDevice(LabDeviceSpec("T1", "T1", role=role)), "lab")
    cli.feed("configure terminal")
    errors = [line for line in lines if "%" in cli.feed(line).output]
    return cli, errors


def test_comments_and_blank_lines_are_ignored() -> None:
    cli, errors = _typed(["!", "", "  ! interfaces", "hostname T2"])
    assert errors == [] and cli.device.hostname == "T2"


def test_global_command_after_interface_drops_back_to_global() -> None:
    cli, errors = _typed(
        [
            "interface GigabitEthernet1/0/1",
            " ip dhcp snooping limit rate 15",
            "ip dhcp snooping vlan 20,30",
            "no ip dhcp snooping information option",
            "ip default-gateway 10.0.0.1",
            "spanning-tree mode rapid-pvst",
            "ip access-list standard ACL-VTY",
            " permit 10.38.1.0 0.0.0.255",
            " deny any log",
        ]
    )
    assert errors == []
    body = cli.device.body()
    block = body.split("interface GigabitEthernet1/0/1\n", 1)[1].split("!", 1)[0]
    assert block == " ip dhcp snooping limit rate 15\n"
    for line in (
        "\nip dhcp snooping vlan 20,30\nno ip dhcp snooping information option\n",
        "\nip default-gateway 10.0.0.1\n",
        "\nspanning-tree mode rapid-pvst\n",
        # IOS-XE numbers named ACL entries as it stores them (IOS-XE 17.6 running config,
        # LibGR/CUBCalifornieDocs docs/Infrastructure/Configurations/SwitchLv3.md)
        "\nip access-list standard ACL-VTY\n 10 permit 10.38.1.0 0.0.0.255\n 20 deny   any log\n",
    ):
        assert line in body, line
    assert cli.prompt == "T1(config-std-nacl)#"


def test_line_console_is_printed_as_con_and_aaa_sub_modes() -> None:
    cli, errors = _typed(
        [
            "line console 0",
            "exec-timeout 10 0",
            "tacacs server TACACS-1",
            "address ipv4 10.38.1.49",
            "key 7 003012055058184B247255",
            "aaa group server tacacs+ TACACS-TH",
            "server name TACACS-1",
            "ip tacacs source-interface Vlan10",
        ]
    )
    assert errors == []
    body = cli.device.body()
    assert "\nline con 0\n stopbits 1\n exec-timeout 10 0\n" in body
    assert "line console" not in body
    assert "\ntacacs server TACACS-1\n address ipv4 10.38.1.49\n key 7 0030" in body
    assert (
        "\naaa group server tacacs+ TACACS-TH\n server name TACACS-1\n"
        " ip tacacs source-interface Vlan10\n" in body
    )


def test_stored_negations_toggle_like_ios() -> None:
    cli, errors = _typed(["no ip http server", "no file prompt quiet"])
    assert "\nno ip http server\n" in cli.device.body()
    assert "file prompt" not in cli.device.body()  # NAPALM's `no file prompt quiet` leaves none
    for line in ("ip http server", "interface GigabitEthernet1/0/2", "no shutdown"):
        errors += [line] if "%" in cli.feed(line).output else []
    body = cli.device.body()
    assert "\nip http server\n" in body and "no ip http server" not in body
    assert errors == []


def test_no_banner_removes_the_whole_banner() -> None:
    cli, errors = _typed(["banner motd ^C", "line one", "line two", "^C"])
    assert "\nbanner motd ^C\nline one\nline two\n^C\n" in cli.device.body()
    cli.feed("no banner motd ^C")
    assert errors == [] and "banner" not in cli.device.body()


def test_bare_ip_address_is_incomplete() -> None:
    """hier_config negates `no ip address` as `ip address`; IOS refuses it, and so does the lab."""
    cli, errors = _typed(["interface GigabitEthernet0/0/1", "ip address"], role="router")
    assert errors == ["ip address"]
    assert "\n ip address\n" not in cli.device.body()


def test_exit_climbs_one_mode_at_a_time(site: Site) -> None:
    """hier_config's sectional `exit`: sub-mode -> global -> exec; the session stays open."""
    name = HOSTS[1]
    with ConnectHandler(**site.lab.netmiko_params(name)) as conn:
        output = conn.send_config_set(
            [
                "policy-map P",
                "class class-default",
                "shape average 1000000",
                "exit",
                "exit",
                "interface GigabitEthernet1/0/3",
                "description EXIT-TEST",
                "exit",
                "exit",
            ],
            error_pattern=ERRORS,
        )
        assert f"{name}(config-pmap)#" in output and f"{name}(config)#" in output
        assert conn.find_prompt() == f"{name}#"
        shown = str(conn.send_command("show running-config | section GigabitEthernet1/0/3$"))
    assert " description EXIT-TEST" in shown.splitlines()
    assert "\npolicy-map P\n class class-default\n  shape average 1000000\n" in site.running(name)
