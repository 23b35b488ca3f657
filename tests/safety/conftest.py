"""Two labs for the whole session: eight communes' devices (32) and one commune's (4), behind
the real SSH server, with their rendered intended configs, and helpers that read a device with
our own Netmiko session (never through the product) and reset it to a factory, brownfield or
drifted starting state. Every test resets the devices it uses and clears its faults."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.lab.files import LabCredentials
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab, start_lab, stop_lab
from nornir_config.platforms.cisco_ios.lab import hconfig
from nornir_config.platforms.cisco_ios.lab.day0 import day0_config
from nornir_config.project import open_project
from nornir_config.render import render_device
from nornir_config.secrets import load_secrets
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import TEST_SECRETS, province_root, write_intended

REPO = Path(__file__).resolve().parents[2]
CODES = "code=14797,16522,16417,16378,15853,14758,15925,16531"
READERS = 8  # our own Netmiko sessions reading devices at once
CLI = [sys.executable, "-m", "nornir_config"]

# What IOS prints around a config that changes on every read (Cisco IOS Configuration
# Fundamentals: `show running-config` header; `show startup-config` "Using N out of M bytes").
HEADER = re.compile(
    r"^(Building configuration|Current configuration|! Last configuration change|"
    r"! NVRAM config last updated|! No configuration change|Using \d+ out of \d+ bytes)"
)

# Lines an engineer typed by hand before communelan (brownfield), and a small drift.
BROWNFIELD = [
    "ip domain name old-office.local",
    "logging host 192.0.2.50",
    "snmp-server community oldcommunity RO",
    "ip http server",
]
DRIFT_ADD = ["logging host 198.51.100.9", "ip http server"]


# IOS numbers access-list entries when it prints them (" 10 permit ...", "deny   any"): the
# rendered file does not, so both sides drop the number and repeated spaces (Cisco IOS
# Security Configuration Guide, "IP Access List Entry Sequence Numbering").
ACL_ENTRY = re.compile(r"^ (\d+) (permit|deny|remark)\b")


def _printed(line: str) -> str:
    line = line.rstrip()
    if ACL_ENTRY.match(line):
        line = " " + ACL_ENTRY.sub(r"\2", line)
        line = " " + " ".join(line.split())
    return line


def body(text: str) -> list[str]:
    """A `show running-config`/`show startup-config` output as its config lines."""
    lines = [_printed(line) for line in text.replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if not HEADER.match(line)]
    while lines and lines[0] in ("", "!"):
        lines.pop(0)
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def paths(lines: list[str]) -> set[tuple[str, str]]:
    """Each line with the top-level line of its section: the config as a set, so two prints
    of one config compare equal whatever order equal sections come in."""
    found: set[tuple[str, str]] = set()
    section = ""
    for line in lines:
        if line and not line[0].isspace():
            section = line
        found.add((section, line))
    return found


@dataclass
class SafetyLab:
    root: Path
    lab: RunningLab
    names: list[str]
    intended: dict[str, str]
    codes: str = CODES

    def _args(self, args: tuple[str, ...]) -> list[str]:
        """The command line, narrowed to this lab's communes."""
        return [*CLI, "--root", str(self.root), "--lab", args[0], "--filter", self.codes, *args[1:]]

    def spec(self, name: str) -> LabDeviceSpec:
        return self.lab.device(name).spec

    def start_text(self, name: str, state: str) -> str:
        """The config a device starts a test with: factory, brownfield or drift."""
        day0 = day0_config(self.spec(name))
        if state == "factory":
            return day0
        if state == "brownfield":
            tree = hconfig.parse(day0)
            for line in BROWNFIELD:
                tree.add_child(line, return_if_present=True)
            return hconfig.render(tree)
        tree = hconfig.parse(self.intended[name])
        for child in list(tree.children):
            if child.text.startswith(("logging host", "ntp server")):
                child.delete()
                break
        for line in DRIFT_ADD:
            negation = tree.get_child(equals=f"no {line}")
            if negation is not None:
                negation.delete()
            tree.add_child(line, return_if_present=True)
        return hconfig.render(tree)

    def reset(self, name: str, state: str, extra: Iterable[str] = ()) -> list[str]:
        """Set the device's running and startup config (`extra`: top-level lines added to
        the state's); returns its running lines."""
        tree = hconfig.parse(self.start_text(name, state))
        for line in extra:
            tree.add_child(line, return_if_present=True)

        def apply() -> None:
            device = self.lab.device(name)
            device.cancel_revert_timer()
            device.boot(tree)  # as booted: the lab operator is kept
            device.save()

        self.lab.call(apply)
        return self.read(name)[0]

    def read(self, name: str) -> tuple[list[str], list[str]]:
        """(running, startup) lines, read over SSH with our own Netmiko session."""
        running, startup, _flash = self.look(name)
        return running, startup

    def look(self, name: str) -> tuple[list[str], list[str], str]:
        """(running, startup) lines and the `dir flash:` listing, over one Netmiko session."""
        params = self.lab.netmiko_params(name)
        with ConnectHandler(**params) as conn:
            conn.enable()
            running = conn.send_command("show running-config", read_timeout=60)
            startup = conn.send_command("show startup-config", read_timeout=60)
            flash = conn.send_command("dir flash:", read_timeout=60)
        return body(str(running)), body(str(startup)), str(flash)

    def intended_lines(self, name: str) -> list[str]:
        return body(self.intended[name])

    def state(self, name: str, before: list[str]) -> tuple[str, list[str], list[str]]:
        """('before' | 'intended' | 'between', running, startup) read over SSH now."""
        running, startup = self.read(name)
        return self.where(name, before, running), running, startup

    def where(self, name: str, before: list[str], running: list[str]) -> str:
        if paths(running) == paths(before):
            return "before"
        if paths(running) == paths(self.intended_lines(name)):
            return "intended"
        return "between"

    def states(
        self, before: dict[str, list[str]], names: Iterable[str] | None = None
    ) -> dict[str, tuple[str, list[str], list[str], str]]:
        """`state` of many devices, read in parallel, with each one's `dir flash:` listing."""

        def one(name: str) -> tuple[str, list[str], list[str], str]:
            running, startup, flash = self.look(name)
            return self.where(name, before[name], running), running, startup, flash

        chosen = list(self.names if names is None else names)
        with ThreadPoolExecutor(READERS) as pool:
            return dict(zip(chosen, pool.map(one, chosen), strict=True))

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._args(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "COLUMNS": "200"},
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self._args(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )

    def fresh_build(self) -> None:
        """Forget earlier runs (state, journal, locks, audit) but keep the intended files."""
        import shutil

        for name in ("journal", "push", "locks", "backups"):
            shutil.rmtree(self.root / "build" / name, ignore_errors=True)
        for name in ("push-state.json", "audit.jsonl"):
            (self.root / "build" / name).unlink(missing_ok=True)


def make_root(base: Path) -> Path:
    root = base / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(province_root() / name)
    return root


def start_safety_lab(base: Path, secrets_file: Path, codes: str) -> SafetyLab:
    """The lab for the selected communes, with their rendered intended configs."""
    root = make_root(base)
    set_run_settings(RunSettings(root=root, lab=True))
    project = open_project([codes], connections=False)
    secrets = load_secrets(secrets_file)
    names = sorted(project.nr.inventory.hosts)
    specs = [
        LabDeviceSpec(n, n, project.province.device(n).model, project.province.device(n).role)
        for n in names
    ]
    # the operator the rendered configs keep (hosts/ local_users: admin), so a pushed device
    # still lets us in; explicit: a module fixture runs before the tests' secrets env is set
    operator = LabCredentials(
        "admin", TEST_SECRETS["password_admin"], TEST_SECRETS["enable_secret"]
    )
    lab = start_lab(specs, base / "lab", credentials=operator)
    (root / ".lab").symlink_to(lab.lab_dir)
    province, templates = project.province, project.settings.templates_dir
    intended = write_intended(
        root, {n: render_device(province.device(n), province, secrets, templates) for n in names}
    )
    return SafetyLab(root, lab, names, intended, codes)


@pytest.fixture(scope="session")
def safety_lab(tmp_path_factory: pytest.TempPathFactory, secrets_file: Path) -> Iterator[SafetyLab]:
    """Eight communes (32 devices): one device per cell of the fault matrix, 30 devices for
    the interrupted rollouts."""
    previous = run_settings()
    env = start_safety_lab(tmp_path_factory.mktemp("safety"), secrets_file, CODES)
    try:
        yield env
    finally:
        set_run_settings(previous)
        stop_lab(env.lab)


@pytest.fixture(scope="session")
def small_lab(tmp_path_factory: pytest.TempPathFactory, secrets_file: Path) -> Iterator[SafetyLab]:
    """One commune (a router and three switches)."""
    previous = run_settings()
    env = start_safety_lab(tmp_path_factory.mktemp("small"), secrets_file, "code=14797")
    try:
        yield env
    finally:
        set_run_settings(previous)
        stop_lab(env.lab)
