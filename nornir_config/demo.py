"""`./run demo`: the main job end to end on the built-in device lab.

Start the lab with every device of the province, run the rollout playbook, make a technician's
hand-made changes on a few offices out of band, run the audit playbook, say what is compliant and
what is not, stop the lab. Each step is the real `communelan` command, so what a newcomer sees
here is what they will type.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.rule import Rule

from nornir_config.cli.consoles import console
from nornir_config.secrets import required_secrets, write_secrets_file
from nornir_config.sot.province import load_province


@dataclass(frozen=True)
class Drift:
    """A hand-made change a technician might leave behind on one device."""

    why: str
    role: str
    commands: tuple[str, ...]


DRIFTS = (
    Drift("an extra VLAN on an access switch", "switch", ("vlan 77", "name TAM-THOI")),
    Drift(
        "telnet opened on the vty lines", "switch", ("line vty 0 4", "transport input telnet ssh")
    ),
    # {ntp}: the device's own first NTP server (hosts/ services.ntp): drifts on any province.
    Drift("an NTP server removed", "router", ("no ntp server {ntp} key 1",)),
)


def demo_secrets(root: Path) -> Path:
    """Random device secrets for the demo, in a 0600 file under .lab/ (never in git)."""
    path = root / ".lab" / "demo-secrets.yaml"
    if not path.exists():
        province = load_province(root / "hosts")
        users = {user for device in province.devices for user in device.settings.local_users}
        names = required_secrets(sorted(users))
        write_secrets_file(path, {name: secrets.token_urlsafe(12) for name in names})
    return path


def communelan(env: dict[str, str], *args: str, ok: tuple[int, ...] = (0,)) -> int:
    """Run one `communelan` command as a user would, showing its own output."""
    console.print(f"[bold cyan]$ communelan {' '.join(args)}[/bold cyan]")
    proc = subprocess.run([sys.executable, "-m", "nornir_config", *args], env=env, check=False)
    if proc.returncode not in ok:
        raise SystemExit(f"demo: `communelan {' '.join(args)}` exited {proc.returncode}")
    return proc.returncode


def drift_offices(root: Path) -> list[tuple[str, Drift]]:
    """Apply each drift on a device of a different commune, over SSH with Netmiko."""
    from netmiko import ConnectHandler

    from nornir_config.lab.files import lab_access

    access = lab_access(root / ".lab")
    names = sorted(access.endpoints)
    targets: list[tuple[str, Drift]] = []
    used_codes: set[str] = set()
    for drift in DRIFTS:
        suffix = "-sw02" if drift.role == "switch" else "-rt01"
        name = next(
            n for n in names if n.endswith(suffix) and n.rsplit("-", 2)[1] not in used_codes
        )
        used_codes.add(name.rsplit("-", 2)[1])
        ntp = load_province(root / "hosts").device(name).province.services.ntp[0]
        drift = Drift(drift.why, drift.role, tuple(c.format(ntp=ntp) for c in drift.commands))
        with ConnectHandler(**access.netmiko_params(name)) as conn:
            conn.enable()
            conn.send_config_set(list(drift.commands))
        console.print(f"  {name}: {drift.why} ({'; '.join(drift.commands)})")
        targets.append((name, drift))
    return targets


def summary(root: Path, drifted: list[tuple[str, Drift]]) -> None:
    report_dir = root / "build" / "reports"
    data_path = report_dir / "compliance.json"
    html = report_dir / "compliance.html"
    console.print(Rule("Result"))
    if data_path.is_file():
        data = json.loads(data_path.read_text(encoding="utf-8"))
        devices = data.get("devices", [])
        by_code: dict[str, list[dict[str, Any]]] = {}
        for device in devices:
            by_code.setdefault(str(device.get("commune_code")), []).append(device)
        bad = {
            code: [d for d in devs if d.get("status") != "compliant"]
            for code, devs in by_code.items()
        }
        bad = {code: devs for code, devs in bad.items() if devs}
        console.print(
            f"{len(by_code) - len(bad)} of {len(by_code)} offices compliant; {len(bad)} not:"
        )
        for code, devs in sorted(bad.items()):
            for device in devs:
                features = [f["name"] for f in device.get("features", []) if not f["compliant"]]
                console.print(
                    f"  {code} {device.get('commune', '')}: {device.get('host')} "
                    f"{device.get('status')} ({', '.join(features) or device.get('error', '')})"
                )
    else:
        console.print(f"no compliance data at {data_path}")
    for name, drift in drifted:
        console.print(f"  drift made on {name}: {drift.why}")
    console.print(f"HTML report: {html}")


def main() -> None:
    root = Path(os.environ.get("COMMUNELAN_ROOT", Path.cwd())).resolve()
    env = {**os.environ, "COMMUNELAN_ROOT": str(root)}
    env.setdefault("COMMUNELAN_SECRETS_FILE", str(demo_secrets(root)))
    lab_env = {**env, "COMMUNELAN_LAB": "1"}
    started = time.perf_counter()
    communelan(env, "lab", "down", ok=(0, 1, 2))
    try:
        console.print(Rule("1. Start the device lab: every device of hosts/"))
        communelan(env, "lab", "up")
        console.print(
            Rule("2. Roll out: render, lint, backup, canary push, push the rest, compliance")
        )
        communelan(lab_env, "run", "playbooks/rollout.yaml")
        console.print(Rule("3. A technician's hand-made changes, out of band"))
        drifted = drift_offices(root)
        console.print(Rule("4. Audit: backup and compliance (exit 1: some offices drifted)"))
        communelan(lab_env, "run", "playbooks/audit.yaml", ok=(0, 1))
        summary(root, drifted)
    finally:
        console.print(Rule("5. Stop the lab"))
        communelan(env, "lab", "down", ok=(0, 1, 2))
    console.print(f"demo finished in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
