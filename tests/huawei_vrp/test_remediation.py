"""Remediation and compliance of a Huawei device, checked on the lab's own VRP (its grammar
and printer): a factory device converges on the rendered config in one pass, a second pass
is empty, drift shows per feature, and secrets are never claimed compliant."""

from __future__ import annotations

from pathlib import Path

import pytest

from nornir_config.compliance.engine import compare_texts
from nornir_config.compliance.features import features_for
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.secrets import TokenVerifier
from nornir_config.lab.files import LabCredentials
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms import driver
from nornir_config.platforms.huawei_vrp import lab
from nornir_config.platforms.huawei_vrp.lab.device import VrpDevice
from nornir_config.push.diff import remediation
from nornir_config.render import render_device
from nornir_config.secrets import Secrets, reveal
from nornir_config.secrets import Secrets as _Secrets
from nornir_config.sot.province import Device, ProvinceData, load_province
from tests.conftest import TEST_SECRETS
from tests.huawei_vrp.province import huawei_root

SECRETS = Secrets(TEST_SECRETS)
VRP = driver("huawei_vrp")


@pytest.fixture(scope="module")
def province() -> ProvinceData:
    return load_province(huawei_root() / "hosts")


def _device(device: Device) -> VrpDevice:
    spec = LabDeviceSpec(
        device.name,
        device.name,
        device.model,
        device.role,
        tuple(device.interfaces),
        driver="huawei_vrp",
    )
    return lab.new_device(spec, LabCredentials("admin", TEST_SECRETS["password_admin"], "x"))


def _type(box: VrpDevice, commands: list[str]) -> list[str]:
    """Type commands in system view, secrets put in; the answers that are errors."""
    session = lab.new_session(box, "admin", 15)
    session.feed("system-view")
    errors = [c for c in commands if session.feed(reveal(c, _Secrets(TEST_SECRETS))).output]
    session.feed("return")
    return errors


@pytest.mark.parametrize("host", ["hac-thanh-14797-rt01", "hac-thanh-14797-sw01"])
def test_converges_in_one_pass(host: str, province: ProvinceData, tmp_path: Path) -> None:
    device = province.device(host)
    intended = render_device(device, province, SECRETS, huawei_root() / "templates")
    box = _device(device)
    commands = remediation(box.current_configuration(), intended, VRP)
    assert "undo telnet server enable" in commands
    assert any(c.strip() == "quit" for c in commands)  # VRP leaves a view with `quit`
    assert _type(box, commands) == []
    # As a push does: fingerprint the ciphers the device shows for the secrets just sent.
    proven = Fingerprints(tmp_path, host, VRP, SECRETS)
    assert proven.record(commands, box.current_configuration(), intended) >= 2
    assert remediation(box.current_configuration(), intended, VRP, proven=proven) == []
    # Without them a device cipher is not taken as the intended secret: it is sent again.
    again = remediation(box.current_configuration(), intended, VRP)
    assert again and all(
        c.strip().startswith(("local-user", "aaa", "quit", "hwtacacs", "snmp", "ntp"))
        for c in again
    )
    # The device holds its own forms of the secrets, never the references or clear values.
    shown = box.current_configuration()
    assert "<secret:" not in shown and TEST_SECRETS["tacacs_key"] not in shown
    assert "irreversible-cipher $1a$" in shown


def test_drift_is_found_per_feature_and_secrets_are_not_called_compliant(
    province: ProvinceData,
) -> None:
    device = province.device("hac-thanh-14797-sw01")
    intended = render_device(device, province, SECRETS, huawei_root() / "templates")
    box = _device(device)
    _type(box, remediation(box.current_configuration(), intended, VRP))
    _type(
        box,
        [
            "vlan batch 123",
            "undo ntp-service unicast-server 10.38.2.123",
            "user-interface vty 0 4",
            "protocol inbound all",
        ],
    )
    results = {
        r.name: r
        for r in compare_texts(
            intended,
            box.current_configuration(),
            features_for(device),
            VRP,
            TokenVerifier(SECRETS),
        )
    }
    assert {n for n, r in results.items() if r.status == "non_compliant"} == {
        "vlans",
        "ntp",
        "ssh_vty",
    }
    # No push fingerprinted the device's ciphers: unverified, never compliant.
    assert {n for n, r in results.items() if r.status == "unverified"} == {"aaa", "snmp"}
    assert not results["aaa"].compliant
    assert " ntp-service unicast-server 10.38.2.123 authentication-keyid 1" in [
        " " + m.strip() for m in results["ntp"].missing
    ]
    assert results["ntp"].remediation == [
        "ntp-service unicast-server 10.38.2.123 authentication-keyid 1"
    ]
    assert "undo vlan batch 123" in results["vlans"].remediation
    notes = results["aaa"].notes + results["snmp"].notes
    assert any("cannot be verified offline" in n and "irreversible-cipher" in n for n in notes)
    assert all("<removed>" in n for n in notes)  # no token in a report
