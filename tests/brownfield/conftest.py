"""The brownfield corpus on lab devices: a test province whose devices boot the corpus configs.

`brown_root(tmp)` writes a project root (hosts/ = the generated province's defaults and groups plus
province.yaml's models and communes; templates/ and config.yaml linked). `start_brown_lab`
boots one lab device per corpus file from that file. End states are read back over SSH with
Netmiko and compared as line paths by `config_paths` below, which is test code of its own (no
engine parser, no layout code), so the checks do not agree with the engine by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import netmiko
import pytest
import yaml

from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import RunningLab, start_lab, stop_lab
from nornir_config.project import Project, open_project
from nornir_config.push import PushOptions, PushRun, run_push
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import province_root

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = HERE / "corpus"
CODES = ("91001", "91002", "91003", "91004", "91005", "91006", "91007")
PHYSICAL = re.compile(
    r"^interface ((?:Ethernet|FastEthernet|GigabitEthernet|TenGigabitEthernet|ATM)\d+(?:/\d+)*)$"
)


def corpus() -> dict[str, str]:
    """Every corpus config by device name (file stem), exactly as stored (CRLF kept)."""
    return {p.stem: p.read_bytes().decode("ascii") for p in sorted(CORPUS.glob("*.cfg"))}


def brown_root(root: Path) -> Path:
    """A project root whose hosts/ is the test province of the corpus."""
    extra = yaml.safe_load((HERE / "province.yaml").read_text(encoding="utf-8"))
    hosts = root / "hosts"
    hosts.mkdir(parents=True)
    defaults = yaml.safe_load(
        (province_root() / "hosts" / "defaults.yaml").read_text(encoding="utf-8")
    )
    defaults["models"].update(extra["models"])
    (hosts / "defaults.yaml").write_text(yaml.safe_dump(defaults, allow_unicode=True), "utf-8")
    (hosts / "groups.yaml").write_text(
        (province_root() / "hosts" / "groups.yaml").read_text("utf-8")
    )
    communes = {"communes": extra["communes"]}
    (hosts / "communes.yaml").write_text(yaml.safe_dump(communes, allow_unicode=True), "utf-8")
    for name in ("templates", "config.yaml"):
        (root / name).symlink_to(REPO / name)
    return root


def hostname_of(text: str) -> str:
    found = re.search(r"^hostname (\S+)", text, flags=re.M)
    assert found, "every corpus config names its hostname"
    return found.group(1)


def lab_specs(configs: dict[str, str], project: Project) -> list[LabDeviceSpec]:
    """One lab device per corpus config: the province's model and role, the physical ports the
    config itself lists (so the lab adds none), booted from the config."""
    specs = []
    for name, text in configs.items():
        device = project.province.device(name)
        ports = tuple(
            m.group(1) for line in text.splitlines() if (m := PHYSICAL.match(line.rstrip()))
        )
        specs.append(LabDeviceSpec(name, hostname_of(text), device.model, device.role, ports, text))
    return specs


def config_paths(text: str) -> set[str]:
    """The lines of a config as paths (`parent / child`), without comments, blank lines, the
    volatile header and `end`; a banner is one path holding its whole text; named ACL entries
    without their sequence numbers.

    Written for these tests from how IOS prints a running config (Cisco IOS Configuration
    Fundamentals: one space per level, `!` separators, banner text up to its delimiter).
    """
    paths: set[str] = set()
    stack: list[tuple[int, str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        raw = lines[index].rstrip()
        index += 1
        line = raw.strip()
        if not line or line.startswith("!") or line == "end":
            continue
        if re.match(r"^(Building configuration|Current configuration)", line):
            continue
        if raw.startswith("banner "):
            words = raw.split(None, 2)
            delimiter = words[2][:2] if words[2].startswith("^") else words[2][:1]
            body = [words[2][len(delimiter) :]] if len(words[2]) > len(delimiter) else []
            while delimiter not in "".join(body) and index < len(lines):
                body.append(lines[index].rstrip())
                index += 1
            text_lines = [b.split(delimiter)[0] for b in body]
            paths.add(f"{words[0]} {words[1]} :: " + " | ".join(t for t in text_lines if t))
            continue
        indent = len(raw) - len(raw.lstrip())
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if line == "quit":  # ends a certificate's hex, however it is indented (12.x: 2 spaces)
            while stack and not stack[-1][1].startswith("certificate "):
                stack.pop()
        if stack and stack[-1][1].startswith("ip access-list "):
            # IOS-XE prints named ACL entries with sequence numbers and aligned columns
            # (`30 deny   ip any ...`); a config file need not.
            line = re.sub(r"^\d+ ", "", " ".join(line.split()))
        path = " / ".join([*(p for _, p in stack), line])
        paths.add(path)
        stack.append((indent, line))
    return paths


def show_running(lab: RunningLab, name: str) -> str:
    """The device's running config, read over SSH by Netmiko as an engineer would."""
    with netmiko.ConnectHandler(**lab.netmiko_params(name)) as conn:
        return str(conn.send_command("show running-config", read_timeout=60))


@dataclass(frozen=True)
class Rule:
    """One protected.yaml / preserve: rule as these tests read it: regexes per level."""

    levels: tuple[str, ...]

    def keeps(self, path: str, intended: set[str]) -> bool:
        """Whether the rule keeps `path`: it names the path or one of its parents, and the
        intended config lacks that line (a line the intended config has is managed)."""
        parts = path.split(" / ")
        if len(parts) < len(self.levels):
            return False
        named = " / ".join(parts[: len(self.levels)])
        matched = all(re.search(rx, part) for rx, part in zip(self.levels, parts, strict=False))
        # A line the intended config sets a value of instead (`no ip address` -> an address).
        parent, _, leaf = named.rpartition(" / ")
        words = leaf.split()
        command = " ".join(words[1:] if words[0] == "no" else words[:-1]) + " "
        replaced = bool(parent) and any(p.startswith(f"{parent} / {command}") for p in intended)
        # A line inside a section goes with its section when that section goes.
        gone = bool(parent) and parent not in intended and len(self.levels) > 1
        return matched and named not in intended and not replaced and not gone


def _level(match: dict[str, str]) -> str:
    if "equals" in match:
        return f"^{re.escape(match['equals'])}$"
    if "startswith" in match:
        return f"^{re.escape(match['startswith'])}"
    return match["re_search"]


def protected_rules(
    preserve: Iterable[str] = (), kinds: Iterable[str] = ("device_owned", "protected")
) -> list[Rule]:
    """The rules of protected.yaml's `kinds` plus `preserve` regexes."""
    data = yaml.safe_load(
        (REPO / "nornir_config/platforms/cisco_ios/protected.yaml").read_text("utf-8")
    )
    rules = []
    for rule in [*(r for kind in kinds for r in data[kind]), *preserve]:
        if isinstance(rule, str):
            rules.append(Rule((rule,)))
        else:
            rules.append(Rule(tuple(_level(m) for m in rule)))
    return rules


@dataclass
class BrownLab:
    root: Path
    lab: RunningLab
    configs: dict[str, str]

    greenfield: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return sorted([*self.configs, *self.greenfield])

    def project(self, filters: list[str] | None = None) -> Project:
        set_run_settings(RunSettings(root=self.root, lab=True))
        return open_project(filters or [])

    def push(self, method: str, **options: object) -> PushRun:
        """`communelan push` of the lab's devices (all of them, or those `start_brown_lab`
        was given)."""
        project = self.project([f"host={','.join(self.names)}"])
        return run_push(project, PushOptions(method=method, **options))  # type: ignore[arg-type]

    def intended(self) -> dict[str, str]:
        return {
            n: (self.root / "build" / "intended" / f"{n}.cfg").read_text("utf-8")
            for n in self.configs
        }

    def preserve(self, name: str) -> list[str]:
        return list(self.project().province.device(name).settings.preserve)


def start_brown_lab(
    tmp: Path, names: list[str] | None = None, greenfield: tuple[str, ...] = ()
) -> BrownLab:
    root = brown_root(tmp / "root")
    configs = corpus()
    if names is not None:
        configs = {n: configs[n] for n in names}
    previous = run_settings()
    set_run_settings(RunSettings(root=root))
    project = open_project([])
    set_run_settings(previous)
    specs = lab_specs(configs, project)
    for name in greenfield:  # factory day-0 devices of the province's default models
        device = project.province.device(name)
        specs.append(LabDeviceSpec(name, name, device.model, device.role, device.interfaces))
    # the operator: the province's own account (hosts/ local_users, the tests' secrets), so
    # the lab lets the same login in before and after a push renders it
    lab = start_lab(specs, tmp / "lab")
    (root / ".lab").symlink_to(lab.lab_dir)
    return BrownLab(root, lab, configs, greenfield)


@pytest.fixture(scope="module")
def brown_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrownLab]:
    """Every corpus device in one lab, for the tests of one module."""
    previous = run_settings()
    running = start_brown_lab(tmp_path_factory.mktemp("brown"))
    yield running
    stop_lab(running.lab)
    set_run_settings(previous)
