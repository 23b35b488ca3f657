"""Ansible's cisco.ios collection, unchanged, against the cabled office (one playbook run).

network_cli over paramiko, host keys checked against the lab's known_hosts (HOME points at a
temp dir whose ~/.ssh/known_hosts is the lab's). Expected values come from conftest.py's
configs: addresses per interface, descriptions, VLANs and their access ports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from nornir_config.lab.testing import RunningLab

from .office import office_fixture  # noqa: F401  (the module-scoped cabled office)

PLAYBOOK = """
- hosts: office
  gather_facts: false
  tasks:
    - name: legacy facts and resource facts
      cisco.ios.ios_facts:
        gather_subset: all
        gather_network_resources: [interfaces, l2_interfaces, l3_interfaces, vlans]
    - {name: interfaces, cisco.ios.ios_interfaces: {state: gathered}, register: interfaces}
    - {name: l2, cisco.ios.ios_l2_interfaces: {state: gathered}, register: l2}
    - {name: l3, cisco.ios.ios_l3_interfaces: {state: gathered}, register: l3}
    - {name: vlans, cisco.ios.ios_vlans: {state: gathered}, register: vlans, when: "'S' in inventory_hostname"}
    - name: write what Ansible got
      delegate_to: localhost
      ansible.builtin.copy:
        dest: "{{ out }}/{{ inventory_hostname }}.json"
        content: "{{ {'facts': ansible_facts, 'interfaces': interfaces.gathered,
                      'l2': l2.gathered, 'l3': l3.gathered,
                      'vlans': vlans.gathered | default([])} | to_json }}"
"""


@pytest.fixture(scope="module")
def gathered(office: RunningLab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    playbook_bin = Path(sys.executable).with_name("ansible-playbook")
    if not playbook_bin.exists():
        pytest.skip("ansible is not installed (test extra)")
    work = tmp_path_factory.mktemp("ansible")
    (work / "home" / ".ssh").mkdir(parents=True)
    shutil.copy(office.lab_dir / "known_hosts", work / "home" / ".ssh" / "known_hosts")
    creds = office.credentials
    hosts = {
        name: {"ansible_host": e.host, "ansible_port": e.port}
        for name, e in office.endpoints.items()
        if name in ("LAB-R1", "LAB-S1")
    }
    inventory = {
        "office": {
            "hosts": hosts,
            "vars": {
                "ansible_connection": "ansible.netcommon.network_cli",
                "ansible_network_os": "cisco.ios.ios",
                "ansible_network_cli_ssh_type": "paramiko",
                "ansible_user": creds.username,
                "ansible_password": creds.password,
                "ansible_become": True,
                "ansible_become_method": "enable",
                "ansible_become_password": creds.secret,
            },
        }
    }
    (work / "inventory.yaml").write_text(yaml.safe_dump(inventory))
    (work / "site.yaml").write_text(PLAYBOOK)
    (work / "ansible.cfg").write_text(
        "[defaults]\nhost_key_checking = True\nlocal_tmp = ./tmp\n"
        "[paramiko_connection]\nhost_key_auto_add = False\nlook_for_keys = False\n"
        "[persistent_connection]\ncommand_timeout = 60\nconnect_timeout = 60\n"
    )
    env = {
        **os.environ,
        "HOME": str(work / "home"),
        "ANSIBLE_CONFIG": str(work / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "PATH": f"{playbook_bin.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    done = subprocess.run(
        [str(playbook_bin), "-i", "inventory.yaml", "site.yaml", "-e", f"out={work}"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return {name: json.loads((work / f"{name}.json").read_text()) for name in hosts}


def test_ios_facts_interfaces_and_addresses(gathered: dict[str, Any]) -> None:
    facts = gathered["LAB-R1"]["facts"]
    assert facts["net_hostname"] == "LAB-R1"
    assert facts["net_model"] == "ISR4331/K9"
    interfaces = facts["net_interfaces"]
    assert not any(name.startswith(("b'", 'b"')) for name in interfaces)
    assert interfaces["GigabitEthernet0/0/0"]["ipv4"] == [
        {"address": "203.0.113.2", "subnet": "30"}
    ]
    assert interfaces["GigabitEthernet0/0/0"]["description"] == "WAN to provider"
    assert interfaces["GigabitEthernet0/0/2"]["operstatus"] == "administratively down"
    assert interfaces["GigabitEthernet0/0/1.99"]["ipv4"] == [
        {"address": "10.1.99.1", "subnet": "24"}
    ]
    assert set(facts["net_all_ipv4_addresses"]) == {
        "203.0.113.2",
        "10.1.10.1",
        "10.1.99.1",
        "10.255.0.1",
    }
    assert facts["net_all_ipv6_addresses"] == ["2001:DB8:10::1"]
    assert facts["net_operatingmode"] == "autonomous"
    neighbors = facts["net_neighbors"]
    assert neighbors["GigabitEthernet0/0/1"][0]["host"] == "LAB-S1"
    assert facts["net_memtotal_mb"] > 0


def test_resource_modules_gathered(gathered: dict[str, Any]) -> None:
    router = gathered["LAB-R1"]
    l3 = {i["name"]: i for i in router["l3"]}
    assert l3["GigabitEthernet0/0/1.10"]["ipv4"] == [{"address": "10.1.10.1/24"}]
    described = {i["name"]: i.get("description") for i in router["interfaces"]}
    assert described["GigabitEthernet0/0/1"] == "LAN trunk"
    assert {i["name"]: i.get("enabled") for i in router["interfaces"]}[
        "GigabitEthernet0/0/2"
    ] is False
    switch = gathered["LAB-S1"]
    vlans = {v["vlan_id"]: v for v in switch["vlans"]}
    assert vlans[10]["name"] == "DATA" and vlans[99]["name"] == "MGMT"
    l2 = {i["name"]: i for i in switch["l2"]}
    assert l2["GigabitEthernet1/0/1"]["access"] == {"vlan": 10}
    assert l2["GigabitEthernet1/1/1"]["trunk"]["allowed_vlans"] == ["10", "99"]
    assert switch["facts"]["network_resources"]["vlans"]
    assert switch["facts"]["net_stacked_models"] == ["C9200L-24P-4G"]
    assert switch["facts"]["net_stacked_serialnums"] == [switch["facts"]["net_serialnum"]]
