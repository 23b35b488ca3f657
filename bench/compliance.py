"""Compliance speed: communelan (live over SSH, and from backups) against a sequential loop of
Netmiko `show running-config` plus a plain difflib diff, on the same lab devices in one run.

    .venv/bin/python bench/compliance.py [--communes 20]

Prints wall time, devices per second, the ratio to the baseline and peak Python memory.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import netmiko

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nornir_config.compliance.run import run_compliance  # noqa: E402
from nornir_config.lab.spec import LabDeviceSpec  # noqa: E402
from nornir_config.lab.testing import start_lab, stop_lab  # noqa: E402
from nornir_config.project import open_project  # noqa: E402
from nornir_config.render import run_render  # noqa: E402
from nornir_config.secrets import load_secrets  # noqa: E402
from nornir_config.settings import RunSettings, set_run_settings  # noqa: E402

T = TypeVar("T")
SECRETS = {
    "enable_secret": "Bench-Enable-1",
    "password_admin": "Bench-Admin-1",
    "ntp_key": "BenchNtp1",
    "snmp_auth_key": "BenchAuth1",
    "snmp_priv_key": "BenchPriv1",
    "tacacs_key": "BenchTacacs1",
}


def measure(fn: Callable[[], T]) -> tuple[T, float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return value, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="communelan-bench-"))
    secrets_file = tmp / "secrets.yaml"
    secrets_file.write_text("".join(f"{k}: {v}\n" for k, v in SECRETS.items()))
    secrets_file.chmod(0o600)
    os.environ["COMMUNELAN_SECRETS_FILE"] = str(secrets_file)
    set_run_settings(RunSettings(root=ROOT))
    secrets = load_secrets()
    everything = open_project([])
    codes = sorted({d.commune.code for d in everything.province.devices})[: args.communes]
    project = open_project([f"code={','.join(codes)}"])
    nr, province = project.nr, project.province
    hosts = sorted(nr.inventory.hosts)
    intended = run_render(nr, province, secrets, project.settings.templates_dir, None).configs
    specs = [
        LabDeviceSpec(h, h, d.model, d.role, d.interfaces)
        for h in hosts
        for d in [province.device(h)]
    ]
    lab = start_lab(specs, tmp / "lab")
    try:
        lab.point(nr)
        templates = project.settings.templates_dir
        live, live_s, live_mb = measure(lambda: run_compliance(nr, province, secrets, templates))
        backups = tmp / "backups"
        backups.mkdir()
        for name in hosts:  # the day-0 configs, as a backup run would have stored them
            text = lab.call(lab.device(name).show_running)
            (backups / f"{name}.cfg").write_text(text, encoding="utf-8")
        backup, backup_s, backup_mb = measure(
            lambda: run_compliance(nr, province, secrets, templates, backups_dir=backups)
        )

        def baseline() -> int:
            differing = 0
            for name in hosts:
                with netmiko.ConnectHandler(**lab.netmiko_params(name)) as conn:
                    running = str(conn.send_command("show running-config"))
                diff = list(difflib.unified_diff(intended[name].splitlines(), running.splitlines()))
                differing += bool(diff)
            return differing

        base_n, base_s, base_mb = measure(baseline)
    finally:
        stop_lab(lab)
    n = len(hosts)
    print(f"devices: {n} ({len(codes)} communes), 2-core machine shared")
    print(f"{'run':34} {'seconds':>8} {'dev/s':>7} {'vs baseline':>11} {'peak MiB':>9}")
    for label, seconds, peak in (
        ("communelan compliance (live SSH)", live_s, live_mb),
        ("communelan compliance (backups)", backup_s, backup_mb),
        ("baseline netmiko loop + difflib", base_s, base_mb),
    ):
        print(f"{label:34} {seconds:8.2f} {n / seconds:7.1f} {base_s / seconds:10.1f}x {peak:9.1f}")
    print(
        f"non-compliant: live {live.summary.non_compliant}, backups "
        f"{backup.summary.non_compliant}, baseline differing {base_n}"
    )


if __name__ == "__main__":
    main()
