"""`lab up --day0 DIR`: each device boots from a real running config and prints it back.

The samples in tests/lab/day0/ are written for these tests in the layout real devices print
(checked against public IOS-XE 17.6 output of a Catalyst 9200L: LibGR/CUBCalifornieDocs
docs/Infrastructure/Configurations/SwitchLv3.md - Mgmt-vrf address families with their
`exit-address-family` and ` !`, `switch 1 provision`, the crypto pki certificate chain's hex
body ending in two spaces, a tab and `quit`, named ACL entries numbered with `deny` padded to
`permit`'s width, consecutive ACLs and `line` blocks without `!`; and the common ISR 8xx IOS 15
layout: boot markers, `no ip domain lookup` before `ip domain name`, ATM subinterface `pvc`
closed by ` !`, Dialer after Vlan). th-bf-rt01.cfg has CRLF line ends, as a backup saved by
a Windows TFTP server has.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from netmiko import ConnectHandler

from nornir_config.cli.lab import inventory_specs
from nornir_config.lab.plan import lab_plan
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory
from nornir_config.platforms.cisco_ios.lab.cli import Cli
from nornir_config.platforms.cisco_ios.lab.day0 import day0_facts
from nornir_config.platforms.cisco_ios.lab.device import LabDevice
from nornir_config.settings import RunSettings
from tests.conftest import province_root

SAMPLES = sorted((Path(__file__).parent / "day0").glob("*.cfg"))
CORPUS = sorted((Path(__file__).parents[1] / "brownfield" / "corpus").glob("*.cfg"))
REPO = Path(__file__).resolve().parents[2]


def boot(path: Path) -> LabDevice:
    text = path.read_text(encoding="utf-8")
    facts = day0_facts(text)
    spec = LabDeviceSpec(path.stem, path.stem, facts.model, facts.role, facts.interfaces, text)
    device = LabDevice(spec)
    tree, errors = Cli(device, "console").load_file(text)
    device.boot(tree)
    device.boot_errors = errors
    return device


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_boots_and_prints_back_exactly(path: Path) -> None:
    device = boot(path)
    assert device.boot_errors == []
    assert device.body() == lf(path.read_text(encoding="utf-8"))


def test_crlf_file_is_read(tmp_path: Path) -> None:
    crlf = next(p for p in SAMPLES if b"\r\n" in p.read_bytes())
    assert boot(crlf).hostname == "th-bf-rt01"


HEADER = re.compile(r"^(Building configuration|Current configuration|! |!$|$)")


def normalised(text: str) -> set[str]:
    """A config's lines as IOS would store them: no `!`/header lines, ACL entries without
    their numbers and padding, every banner delimiter as IOS prints it (`^C`)."""
    out: set[str] = set()
    for line in lf(text).split("\n"):
        line = line.rstrip()
        if HEADER.match(line) or line == "end":
            continue
        line = re.sub(r"^(\s+)\d+ (permit|deny|remark) ", r"\1\2 ", line)
        line = re.sub(r"^(\s+deny) +", r"\1 ", line)
        line = re.sub(r"^(banner \S+) \S+$", r"\1 ^C", line)
        out.add(line.strip())
    return out


@pytest.mark.skipif(not CORPUS, reason="tests/brownfield/corpus not merged yet")
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_brownfield_corpus_boots_with_every_line_kept(path: Path) -> None:
    device = boot(path)
    assert device.boot_errors == []
    missing = normalised(path.read_text(encoding="utf-8")) - normalised(device.body())
    banner_bodies = {line for line in missing if not line.startswith(("banner",))}
    assert {m for m in banner_bodies if len(m) > 1} == set()


def test_sanitised_secrets_boot_as_they_are(lab_factory: LabFactory) -> None:
    """A backup's `<removed>` tokens: two communities stay two; the operator the lab seeds
    replaces the sanitised user of the same name, so the lab's clients get in."""
    path = next(p for p in SAMPLES if "sw01" in p.name)
    text = path.read_text(encoding="utf-8")
    facts = day0_facts(text)
    spec = LabDeviceSpec("bf-sw", "bf-sw", facts.model, facts.role, facts.interfaces, text)
    lab = lab_factory(specs=[spec], client_address="10.20.10.50")
    with ConnectHandler(**lab.netmiko_params("bf-sw")) as conn:
        assert conn.find_prompt() == "th-bf-sw01#"
        shown = conn.send_command("show running-config")
    assert shown.count("snmp-server community <removed>") == 2
    body = shown[shown.index("version ") :]
    user = lab.credentials.username
    expected = re.sub(
        rf"(?m)^username {user} privilege 15 secret 9 \S+$",
        lambda _: next(line for line in body.splitlines() if line.startswith(f"username {user} ")),
        text,
    )
    expected = re.sub(
        r"(?m)^enable secret 9 \S+$",
        lambda _: next(line for line in body.splitlines() if line.startswith("enable secret ")),
        expected,
    )
    assert body.rstrip("\n") == expected.rstrip("\n")


def test_lab_plan_boots_inventory_devices_and_extra_files(tmp_path: Path) -> None:
    """A backup folder: a file named like an inventory device boots that device; a file
    naming no device adds one with the ports, role and model its config shows."""
    day0 = tmp_path / "backup"
    day0.mkdir()
    name = "hac-thanh-14797-sw02"
    (day0 / f"{name}.cfg").write_text("hostname old-sw\ninterface GigabitEthernet1/0/1\n")
    (day0 / "legacy-rt.cfg").write_bytes((SAMPLES[0]).read_bytes())
    settings = RunSettings(root=province_root())
    plan = lab_plan(settings, inventory_specs(settings, [f"host={name}"]), day0)
    specs = {s.name: s for s in plan.specs}
    assert set(specs) == {name, "legacy-rt"}
    assert specs[name].day0 is not None and specs[name].hostname == "old-sw"
    assert specs["legacy-rt"].role == "router" and "ATM0" in specs["legacy-rt"].interfaces
    assert plan.credentials is not None and plan.credentials.username == "admin"
    assert plan.client_address == "10.38.1.1"


def test_lab_up_refuses_a_missing_day0_folder(tmp_path: Path) -> None:
    """Bad input: one line naming the item and the fix, exit code 2, no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "nornir_config", "lab", "up", "--day0", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--day0: is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_sanitised_line_password_is_the_lab_operators(lab_factory: LabFactory) -> None:
    """th-bf-rt01 logs in by the vty line password (`login`, no AAA), sanitised in the backup:
    the lab puts its operator's password there (type 7), so the rehearsal can log in."""
    path = next(p for p in SAMPLES if "rt01" in p.name)
    text = path.read_text(encoding="utf-8")
    facts = day0_facts(text)
    spec = LabDeviceSpec("bf-rt", "bf-rt", facts.model, facts.role, facts.interfaces, text)
    lab = lab_factory(specs=[spec])
    with ConnectHandler(**lab.netmiko_params("bf-rt")) as conn:
        assert conn.find_prompt() == "th-bf-rt01>"  # a line password gives privilege 1
        conn.enable()  # the enable secret the lab seeded
        assert conn.find_prompt() == "th-bf-rt01#"
        vty = conn.send_command("show running-config | section line vty")
    assert " login\n" in vty + "\n" and "<removed>" not in vty and " password 7 " in vty
