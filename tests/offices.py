"""One small office per driver in the lab, and ways to look at it that bypass the product.

The province is `tests.conftest.province_root()` with one commune (Xã An Nông: a router and
one switch here) moved to a group whose models select the driver. A device is read over SSH
with the vendor's real Netmiko client (`cisco_ios`, `huawei`, `hp_comware`); its lines, after
the driver's volatile lines and with secret tokens masked, are compared with the lines it ran
before a push and with the intended file, never through the product's remediation or diff.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from netmiko import ConnectHandler

from nornir_config.lab.files import LabCredentials
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab, start_lab, stop_lab
from nornir_config.platforms import driver
from nornir_config.platforms.base import Platform
from nornir_config.project import Project, open_project
from nornir_config.push import PushOptions, PushRun, run_push
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import TEST_SECRETS, province_root, write_intended

DRIVERS = ("cisco_ios", "huawei_vrp", "hp_comware")
CODE = "15766"  # Xã An Nông (rural): a router and, with no access switch, one core switch

# Each vendor's models and ports for the office (the models `communelan init` bundles).
VENDOR_OVERRIDES: dict[str, dict[str, Any]] = {
    "cisco_ios": {},
    "huawei_vrp": {
        "router_model": "AR6120",
        "switch_model": "S5735-L24T4X-A",
        "router_ports": {
            "tslcd": "GigabitEthernet0/0/0",
            "internet": "GigabitEthernet0/0/1",
            "lan": "GigabitEthernet0/0/2",
        },
        "switch_uplinks": [f"XGigabitEthernet0/0/{n}" for n in range(1, 5)],
    },
    "hp_comware": {
        "router_model": "MSR2630",
        "switch_model": "S5130S-28S-EI",
        "router_ports": {
            "tslcd": "GigabitEthernet0/0",
            "internet": "GigabitEthernet0/1",
            "lan": "GigabitEthernet0/2",
        },
        "switch_uplinks": [f"Ten-GigabitEthernet1/0/{n}" for n in range(25, 29)],
    },
}

# How each vendor's CLI shows its running config (Cisco IOS Configuration Fundamentals;
# Huawei AR "display current-configuration"; H3C Comware 7 Fundamentals Command Reference).
SHOW_RUNNING = {
    "cisco_ios": "show running-config",
    "huawei_vrp": "display current-configuration",
    "hp_comware": "display current-configuration",
}

# How each lists its flash file system (Cisco IOS "dir"; VRP and Comware `dir`, user view).
DIR = {"cisco_ios": "dir flash:", "huawei_vrp": "dir", "hp_comware": "dir"}
# The files a push may leave on the device: its pre-change copy (the secrets' hashes) and, for
# the device's own replace, the candidate (secrets in clear); from each driver's push.yaml.
PUSH_FILES = ("communelan-before.cfg", "communelan-replace.cfg", "communelan-intended.cfg")

# Secret tokens a device prints in its own form of what it was sent: both sides mask them
# (which secret they hide is the compliance tests' job). VRP and Comware name the form before
# the token (`cipher`, `irreversible-cipher`, `hash`, `simple`; a clear `simple` key comes back
# as `cipher`), SNMPv3 keys follow their algorithm; IOS types 0/5/7/8/9 end the line.
_FORM = re.compile(r"\b(?:simple|cipher|irreversible-cipher|hash) \S+")
_SNMP_KEY = re.compile(
    r"\b((?:authentication|privacy)-mode \S+) (?!simple|cipher|hash|irreversible-cipher)\S+"
)
_IOS_SECRET = re.compile(
    r"\b(password|secret|key|community|key-string)(?: [05789])? (?:<secret:\w+>|\S+)$"
)
# Lines a device prints whatever it is sent, and cannot lose (the paths of `paths`):
# VRP's default AAA schemes and domain (Huawei command reference "authentication-scheme
# (AAA view)": the default scheme "can be modified but cannot be deleted"; "Configuring
# Global Default Domains": the domain `default` is always there); Comware's
# VLAN 1 and NULL0 (H3C Comware 7 Layer 2 LAN Switching, "VLAN 1 is the system default VLAN
# and cannot be deleted"; Interface Configuration Guide, "Null interface").
DEVICE_DEFAULTS: dict[str, set[tuple[str, str]]] = {
    "cisco_ios": set(),
    "huawei_vrp": {
        ("aaa", "authentication-scheme default"),
        ("aaa", "authorization-scheme default"),
        ("aaa", "accounting-scheme default"),
        ("aaa", "domain default"),
    },
    "hp_comware": {("vlan 1", "vlan 1"), ("interface NULL0", "interface NULL0")},
}
# IOS numbers access-list entries when it prints them; the rendered file does not (Cisco IOS
# Security Configuration Guide, "IP Access List Entry Sequence Numbering").
_ACL_ENTRY = re.compile(r"^ (\d+) (permit|deny|remark)\b")


@functools.cache
def office_root(name: str) -> Path:
    """A project root like `province_root()` whose office `CODE` runs driver `name`."""
    base = province_root()
    root = Path(tempfile.mkdtemp(prefix=f"communelan-{name}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    shutil.copytree(base / "hosts", root / "hosts")
    (root / "templates").symlink_to(base / "templates")
    shutil.copy(base / "config.yaml", root / "config.yaml")
    groups_path = root / "hosts" / "groups.yaml"
    groups = yaml.safe_load(groups_path.read_text(encoding="utf-8"))
    group = f"lab-{name.replace('_', '-')}"
    overrides = {"access_switches": 0, **VENDOR_OVERRIDES[name]}
    groups["groups"][group] = {"description": f"a {name} office", "overrides": overrides}
    groups_path.write_text(yaml.safe_dump(groups, allow_unicode=True, sort_keys=False), "utf-8")
    communes_path = root / "hosts" / "communes.yaml"
    communes = yaml.safe_load(communes_path.read_text(encoding="utf-8"))
    for commune in communes["communes"]:
        if commune["code"] == CODE:
            commune["groups"] = [group]
    communes_path.write_text(yaml.safe_dump(communes, allow_unicode=True, sort_keys=False), "utf-8")
    return root


def config_lines(text: str, platform: Platform) -> list[str]:
    """A shown (or rendered) config as comparable lines: without the driver's volatile lines,
    blank and separator lines, with secret tokens masked and IOS ACL sequence numbers off."""
    volatile = [re.compile(v) for v in platform.layout.volatile]
    out = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip() or line.strip() in ("!", "#", "return", "end"):
            continue
        if any(v.match(line) or v.match(line.strip()) for v in volatile):
            continue
        if _ACL_ENTRY.match(line):
            line = " " + " ".join(_ACL_ENTRY.sub(r"\2", line).split())
        line = _FORM.sub("<token>", _SNMP_KEY.sub(r"\1 <token>", line))
        out.append(_IOS_SECRET.sub(r"\1 <token>", line))
    return out


def paths(lines: list[str], platform: Platform) -> set[tuple[str, str]]:
    """Each line with the top-level line of its section, without the device's own defaults:
    two prints of one config compare equal whatever order equal sections come in."""
    found: set[tuple[str, str]] = set()
    section = ""
    for line in lines:
        if not line[0].isspace():
            section = line
        found.add((section, line.strip()))
    return found - DEVICE_DEFAULTS[platform.name]


@dataclass
class Office:
    """A lab office on one driver, its project root and intended (rendered) configs."""

    driver: Platform
    root: Path
    lab: RunningLab
    names: list[str]
    intended: dict[str, str]

    def project(self, filters: list[str] | None = None) -> Project:
        set_run_settings(RunSettings(root=self.root, lab=True))
        return open_project([f"code={CODE}", *(filters or [])])

    def push(self, filters: list[str] | None = None, **options: Any) -> PushRun:
        return run_push(self.project(filters), PushOptions(**options))

    def host(self, role: str) -> str:
        return next(n for n in self.names if n.endswith("rt01" if role == "router" else "sw01"))

    def shown(self, name: str) -> str:
        """The running config as the device's own CLI shows it to the vendor's Netmiko."""
        with self._session(name) as conn:
            return str(conn.send_command(SHOW_RUNNING[self.driver.name], read_timeout=60))

    def files(self, name: str) -> list[str]:
        """The push's files the device's `dir` lists now, read over SSH."""
        commands = self.driver.commands
        with self._session(name) as conn:
            # Netmiko's `hp_comware` enable() enters system view, where Comware refuses the
            # file system commands (user view only): back to user view first
            if re.fullmatch(commands.config_prompt, conn.find_prompt()):
                conn.send_command(commands.exit_config, expect_string=r"[>#]\s*$")
            listing = str(conn.send_command(DIR[self.driver.name], read_timeout=60))
        assert re.search(r"^\s*Directory of flash:", listing, re.M), listing  # a listing
        return [f for f in PUSH_FILES if f in listing]

    def send(self, name: str, commands: list[str]) -> None:
        """Lines typed out of band by a technician, in the device's config mode."""
        commands_of = self.driver.commands
        with self._session(name) as conn:
            conn.send_command(commands_of.enter_config, expect_string=commands_of.config_prompt)
            conn.send_config_set(
                commands, cmd_verify=False, enter_config_mode=False, exit_config_mode=False
            )
            conn.send_command(commands_of.exit_config, expect_string=r"[>#]\s*$")

    @contextlib.contextmanager
    def _session(self, name: str) -> Iterator[Any]:
        """A Netmiko session, closed by closing the SSH: Netmiko's `disconnect` (and its
        `config_mode`) first run `check_config_mode`, which on the `huawei` driver waits 2 s
        whatever the device answers (it drops its read pattern; netmiko issue #3062)."""
        conn = ConnectHandler(**self.lab.netmiko_params(name))
        try:
            conn.enable()
            yield conn
        finally:
            conn.paramiko_cleanup()

    def lines(self, name: str) -> list[str]:
        return config_lines(self.shown(name), self.driver)

    def expected(self, name: str) -> list[str]:
        return config_lines(self.intended[name], self.driver)

    def where(self, name: str, before: list[str]) -> str:
        """'before' | 'intended' | 'between', read over SSH now."""
        now = paths(self.lines(name), self.driver)
        if now == paths(before, self.driver):
            return "before"
        if now == paths(self.expected(name), self.driver):
            return "intended"
        return "between"

    def difference(self, name: str) -> tuple[list[str], list[str]]:
        """(intended lines the device lacks, device lines not intended), for messages."""
        now = paths(self.lines(name), self.driver)
        want = paths(self.expected(name), self.driver)
        return sorted(p[1] for p in want - now), sorted(p[1] for p in now - want)


def start_office(base: Path, name: str) -> Office:
    """The office's devices in a lab of their own, and their intended files rendered."""
    source = office_root(name)
    root = base / "root"
    root.mkdir()
    for item in ("hosts", "templates", "config.yaml"):
        (root / item).symlink_to(source / item)
    set_run_settings(RunSettings(root=root, lab=True))
    project = open_project([f"code={CODE}"], connections=False)
    names = sorted(project.nr.inventory.hosts)
    devices = [project.province.device(n) for n in names]
    specs = []
    for device in devices:
        links = tuple(
            (port, *peer.split()) for port, peer in device.peers.items() if len(peer.split()) == 2
        )
        specs.append(
            LabDeviceSpec(
                device.name, device.name, device.model, device.role, tuple(device.interfaces),
                links=links,  # type: ignore[arg-type]
            )
        )  # fmt: skip
    # the operator the rendered configs keep (hosts/ local_users: admin), so a pushed device
    # still lets us in
    operator = LabCredentials(
        "admin", TEST_SECRETS["password_admin"], TEST_SECRETS["enable_secret"]
    )
    lab = start_lab(specs, base / "lab", credentials=operator)
    (root / ".lab").symlink_to(lab.lab_dir)
    secrets = load_secrets()
    templates = project.settings.templates_dir
    intended = write_intended(
        root,
        {d.name: render_device(d, project.province, secrets, templates) for d in devices},
    )
    return Office(driver(name), root, lab, names, intended)


def office_fixture(base: Path, name: str) -> Iterator[Office]:
    """Body of a fixture: an office, the run settings restored and the lab stopped after."""
    previous = run_settings()
    office = start_office(base, name)
    try:
        yield office
    finally:
        set_run_settings(previous)
        stop_lab(office.lab)
