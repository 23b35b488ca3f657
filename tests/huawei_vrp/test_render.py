"""Rendering a Huawei office: golden files, the mixed province, and the lab's own VRP taking
every rendered line and printing it back exactly as rendered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nornir_config.inventory import build_nornir, province_of
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.platforms.huawei_vrp import lab
from nornir_config.render import run_render
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets as _Secrets
from nornir_config.secrets import load_secrets, reveal
from nornir_config.settings import RunSettings
from tests.conftest import REPO, TEST_SECRETS
from tests.huawei_vrp.province import huawei_root

GOLDEN = Path(__file__).resolve().parent / "golden"
HOSTS = ("hac-thanh-14797-rt01", "hac-thanh-14797-sw01", "hac-thanh-14797-sw02")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, secrets_file: Path):  # type: ignore[no-untyped-def]
    nr = build_nornir(RunSettings(root=huawei_root()))
    province = province_of(nr)
    out = tmp_path_factory.mktemp("intended")
    summary = run_render(nr, province, load_secrets(secrets_file), REPO / "templates", out)
    return province, summary, out


@pytest.mark.parametrize("host", HOSTS[:2])
def test_golden(host: str, rendered) -> None:  # type: ignore[no-untyped-def]
    _, _, out = rendered
    expected = (GOLDEN / f"{host}.cfg").read_text(encoding="utf-8")
    assert (out / f"{host}.cfg").read_text(encoding="utf-8") == expected


def test_mixed_province_renders(rendered) -> None:  # type: ignore[no-untyped-def]
    province, _summary, out = rendered
    vendors = {d.name: d.platform for d in province.devices}
    assert {vendors[h] for h in HOSTS} == {"huawei_vrp"}
    assert len(set(vendors.values())) == 2
    vrp = driver("huawei_vrp")
    for host in HOSTS:
        text = (out / f"{host}.cfg").read_text(encoding="utf-8")
        assert text.startswith(f"#\n sysname {host}\n#\n") and text.endswith("#\nreturn\n")
        assert canonical(text, vrp) == text
        assert not re.search(r"^(hostname|interface Vlan\d|!)", text, re.M)
        assert vrp.naming.hostname.match(host)
    assert (out / "dong-tien-15853-rt01.cfg").read_text(encoding="utf-8").startswith("version 17.9")


def test_secrets_are_references_never_clear(rendered) -> None:  # type: ignore[no-untyped-def]
    _, summary, _ = rendered
    for host in HOSTS:
        text = summary.configs[host]
        for value in TEST_SECRETS.values():
            assert value not in text
        assert " local-user admin password irreversible-cipher <secret:password_admin>\n" in text
        assert "hwtacacs-server shared-key cipher <secret:tacacs_key>\n" in text
        assert "privacy-mode aes128 cipher <secret:snmp_priv_key>\n" in text


@pytest.mark.parametrize("host", HOSTS)
def test_lab_takes_and_prints_every_rendered_line(host: str, rendered) -> None:  # type: ignore[no-untyped-def]
    """The lab's VRP (its own grammar and printer) boots from the rendered config with the
    secrets put in, refuses none of it, and prints it back line for line (its own cipher
    forms where the intended config names a secret)."""
    province, summary, _ = rendered
    device = province.device(host)
    text = summary.configs[host]
    spec = LabDeviceSpec(
        host,
        host,
        device.model,
        device.role,
        tuple(device.interfaces),
        day0=reveal(text, _Secrets(TEST_SECRETS)),
        driver="huawei_vrp",
    )
    booted = lab.new_device(spec, None)
    assert booted.boot_errors == []
    shown = booted.body()
    assert "<secret:" not in shown and TEST_SECRETS["password_admin"] not in shown
    masked = re.sub(r"(cipher) \S+", r"\1 X", shown)
    assert masked == re.sub(r"(cipher) \S+", r"\1 X", text)
