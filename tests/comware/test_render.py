"""H3C Comware renders: golden files, the device's own layout, and the lab's grammar agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nornir_config.inventory import build_nornir, province_of
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.render import render_device
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings
from tests.comware.conftest import h3c_root
from tests.conftest import REPO, TEST_SECRETS

GOLDEN = Path(__file__).with_name("golden")
HOSTS = ("hac-thanh-14797-rt01", "hac-thanh-14797-sw02", "dong-tien-15853-sw01")


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    nr = build_nornir(RunSettings(root=h3c_root()))
    province = province_of(nr)
    out = {}
    for device in province.devices:
        if device.platform == "hp_comware":
            out[device.name] = render_device(
                device, province, Secrets(TEST_SECRETS), REPO / "templates"
            )
    return out


@pytest.mark.parametrize("host", HOSTS)
def test_golden(host: str, rendered: dict[str, str]) -> None:
    assert rendered[host] == (GOLDEN / f"{host}.cfg").read_text(encoding="utf-8")


def test_every_h3c_device_renders_in_comware_layout(rendered: dict[str, str]) -> None:
    assert len(rendered) == 8  # two phuong offices: a router and three switches each
    for name, text in rendered.items():
        assert text.startswith("#\n version 7.1.064, Release ") and text.endswith("#\nreturn\n")
        assert f"\n sysname {name}\n" in text
        assert canonical(text, driver("hp_comware")) == text
        assert "\n#\n#\n" not in text
        assert re.search(r"^ password hash \$h\$6\$[^$]{16}\$\S{88}$", text, re.M)


@pytest.mark.parametrize("host", HOSTS)
def test_the_lab_grammar_takes_every_line(host: str, rendered: dict[str, str]) -> None:
    """The lab's own Comware grammar (not the engine's) loads the rendered config without a
    refused line, and prints it back as rendered apart from what the device adds."""
    role = "router" if host.endswith("rt01") else "switch"
    ports = (
        ("GigabitEthernet0/0", "GigabitEthernet0/1", "GigabitEthernet0/2")
        if role == "router"
        else tuple(f"GigabitEthernet1/0/{n}" for n in range(1, 25))
        + tuple(f"Ten-GigabitEthernet1/0/{n}" for n in range(25, 29))
    )
    spec = LabDeviceSpec(host, host, "x", role, ports, day0=rendered[host], driver="hp_comware")
    device = driver("hp_comware").lab.device(spec, None)
    assert device.boot_errors == []
    printed = device.text()
    kept = [line for line in rendered[host].splitlines() if " simple " not in line]
    shown = [
        line
        for line in printed.splitlines()
        if " cipher " not in line and line not in ("interface NULL0", "vlan 1")
    ]
    assert [line for line in kept if line not in shown] == []
