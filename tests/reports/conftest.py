"""A compliance report built from text (no lab): two offices of the repository's hosts/.

Xã An Nông (15766): its access switch runs `ip http server` (hardening, IOS-SVC-001) - the
non-compliant office. Đông Tiến (15853): its router timed out (unknown), its switches are as
intended. So 4 of 5 devices are checked and the rate must never read as a clean 100%.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nornir_config.compliance.model import ComplianceReport
from nornir_config.compliance.run import run_compliance
from nornir_config.project import open_project
from nornir_config.render import run_render
from nornir_config.secrets import Secrets

BAD_OFFICE = ("15766", "Xã An Nông")
UNKNOWN_OFFICE = "15853"
# What Netmiko raises when the TCP connection times out (netmiko/base_connection.py wording).
TIMEOUT = "NetmikoTimeoutException: TCP connection to device failed. Common causes: timed out"


@dataclass
class Built:
    report: ComplianceReport
    bad_host: str
    unknown_host: str
    hosts: list[str]


def build(secrets: Secrets) -> Built:
    project = open_project([f"code={BAD_OFFICE[0]},{UNKNOWN_OFFICE}"])
    configs = run_render(
        project.nr, project.province, secrets, project.settings.templates_dir, None
    ).configs
    bad = next(h for h in configs if h.startswith("an-nong") and h.endswith("sw02"))
    unknown = next(h for h in configs if h.startswith("dong-tien") and h.endswith("rt01"))
    running: dict[str, tuple[str | None, str]] = {h: (text, "") for h, text in configs.items()}
    running[bad] = (configs[bad].replace("no ip http server\n", "ip http server\n"), "")
    running[unknown] = (None, TIMEOUT)
    report = run_compliance(
        project.nr, project.province, secrets, project.settings.templates_dir, running=running
    )
    return Built(report, bad, unknown, sorted(configs))


@pytest.fixture
def built(at_root: None, test_secrets: Secrets) -> Built:
    return build(test_secrets)
