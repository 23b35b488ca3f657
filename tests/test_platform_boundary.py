"""The vendor lives in its driver folder: the core names none, and a new vendor is a folder
(or a distribution) plus an entry point, with nothing in the core changed."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nornir_config
from nornir_config import platforms
from nornir_config.lab.server import Lab
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import TEST_CREDENTIALS
from nornir_config.platforms.base import Platform
from tests.conftest import REPO, province_root

PACKAGE = Path(nornir_config.__file__).resolve().parent
# Vendor words, as words: `cisco_ios` and `IOS-XE` count, `scenarios` does not.
KEYWORDS = re.compile(
    r"(?<![a-z])(cisco|ios|show running|huawei|comware|display current)(?![a-z])", re.IGNORECASE
)


def core_files(package: Path) -> list[Path]:
    """The package's Python files outside the vendor folders `platforms/<driver>/`."""
    vendor = package / "platforms"
    return sorted(
        path
        for path in package.rglob("*.py")
        if not (path.parent != vendor and path.is_relative_to(vendor))
    )


def vendor_words(package: Path) -> list[str]:
    found = []
    for path in core_files(package):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = KEYWORDS.search(line)
            if match:
                found.append(f"{path.relative_to(package)}:{number}: {match.group(0)}")
    return found


def test_the_core_names_no_vendor() -> None:
    files = core_files(PACKAGE)
    assert PACKAGE / "platforms" / "base.py" in files  # the contract is core
    assert PACKAGE / "lab" / "server.py" in files
    assert not any("cisco_ios" in p.parts for p in files)
    assert vendor_words(PACKAGE) == []


@pytest.mark.parametrize(
    "planted",
    ["# as IOS prints it", 'CMD = "show running-config"', "x = 'huawei_vrp'", "# H3C Comware 7"],
)
def test_the_guard_sees_a_planted_keyword(tmp_path: Path, planted: str) -> None:
    copy = tmp_path / "nornir_config"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert vendor_words(copy) == []
    render = copy / "render.py"
    render.write_text(render.read_text(encoding="utf-8") + planted + "\n", encoding="utf-8")
    found = vendor_words(copy)
    assert len(found) == 1 and found[0].startswith("render.py:"), found
    # inside a vendor folder the same line is fine
    render.write_text(render.read_text(encoding="utf-8").replace(planted, ""), encoding="utf-8")
    vendor = copy / "platforms" / "cisco_ios" / "acl.py"
    vendor.write_text(vendor.read_text(encoding="utf-8") + planted + "\n", encoding="utf-8")
    assert vendor_words(copy) == []


def test_every_shipped_folder_is_a_registered_driver() -> None:
    folders = {p.parent.name for p in (PACKAGE / "platforms").glob("*/__init__.py")}
    assert "cisco_ios" in folders
    for name in folders:
        found = platforms.driver(name)
        assert isinstance(found, Platform) and found.name == name
        assert found.folder == PACKAGE / "platforms" / name
        assert (REPO / "templates" / found.templates).is_dir()
    with pytest.raises(platforms.UnknownPlatform, match="unknown platform driver 'nope'"):
        platforms.driver("nope")


# -- a fourth vendor: a distribution of its own, one entry point ------------------------------

PLUGIN = """
import dataclasses
from nornir_config.platforms import driver

# A vendor that happens to speak like the shipped one: only its name and templates differ.
DRIVER = dataclasses.replace(driver("{base}"), name="acme_os", templates="acme_os", label="AcmeOS")
"""


def _plugin(where: Path) -> Path:
    """`acme_driver`, installed as a distribution whose entry point registers `acme_os`."""
    (where / "acme_driver").mkdir(parents=True)
    base = sorted(platforms.known_platforms())[0]
    (where / "acme_driver" / "__init__.py").write_text(PLUGIN.format(base=base), "utf-8")
    info = where / "acme_driver-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-driver\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[{platforms.GROUP}]\nacme_os = acme_driver:DRIVER\n", encoding="utf-8"
    )
    return where


def _project(tmp_path: Path, base: str) -> Path:
    """A province whose router model runs `acme_os`, with templates for it."""
    root = tmp_path / "project"
    shutil.copytree(province_root(), root, symlinks=False)
    templates = root / "templates"
    shutil.copytree(templates / platforms.driver(base).templates, templates / "acme_os")
    defaults = root / "hosts" / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    router = re.search(r"(\n  \S+:\n    role: router\n    platform: )(\S+)", text)
    assert router is not None
    defaults.write_text(text.replace(router.group(0), router.group(1) + "acme_os", 1), "utf-8")
    return root


def _communelan(root: Path, plugin: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMMUNELAN_ROOT": str(root), "NO_COLOR": "1", "COLUMNS": "300"}
    if plugin is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(plugin), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "nornir_config", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_a_fourth_vendor_is_a_folder_and_an_entry_point(tmp_path: Path) -> None:
    base = sorted(platforms.known_platforms())[0]
    root = _project(tmp_path, base)
    plugin = _plugin(tmp_path / "site")
    before = {p: p.read_bytes() for p in core_files(PACKAGE)}

    refused = _communelan(root, None, "render", "--out", str(tmp_path / "none"))
    assert refused.returncode == 2, refused.stderr
    assert "unknown platform 'acme_os'" in refused.stderr
    assert not (tmp_path / "none").exists()

    out = tmp_path / "intended"
    done = _communelan(root, plugin, "render", "--out", str(out))
    assert done.returncode == 0, done.stderr
    inventory = _communelan(root, plugin, "inventory", "--format", "json")
    assert inventory.returncode == 0, inventory.stderr
    assert '"driver": "acme_os"' in inventory.stdout
    routers = sorted(out.glob("*-rt01.cfg"))
    assert len(routers) >= 166
    # the same syntax, rendered from acme_os's own templates folder: the same config
    reference = tmp_path / "reference"
    shutil.copytree(province_root(), tmp_path / "plain")
    plain = _communelan(tmp_path / "plain", None, "render", "--out", str(reference))
    assert plain.returncode == 0, plain.stderr
    assert routers[0].read_bytes() == (reference / routers[0].name).read_bytes()
    assert {p: p.read_bytes() for p in core_files(PACKAGE)} == before


def test_a_registered_driver_runs_in_the_lab() -> None:
    """The lab builds each device and session through its own driver's lab dialect."""
    base = platforms.driver(sorted(platforms.known_platforms())[0])
    acme = dataclasses.replace(base, name="acme_lab", netmiko_device_type="acme_netmiko")
    platforms.register(acme)
    try:
        spec = LabDeviceSpec("ACME-R1", "ACME-R1", "ISR4331", "router", driver="acme_lab")
        lab = Lab([spec], TEST_CREDENTIALS)
        device = lab.devices["ACME-R1"]
        assert device.spec.driver == "acme_lab"
        assert lab.endpoints["ACME-R1"].device_type == "acme_netmiko"
        assert device.hostname == "ACME-R1" and device.state().ports
        assert device.try_login(TEST_CREDENTIALS.username, TEST_CREDENTIALS.password, None).ok
    finally:
        platforms.unregister("acme_lab")
    assert "acme_lab" not in platforms.known_platforms()
