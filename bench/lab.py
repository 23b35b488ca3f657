"""Device lab benchmark: province-size start time and memory, session latency, a 50-device push.

    .venv/bin/python bench/lab.py [--devices N]

Uses the project inventory when it loads (the whole province), else N synthetic devices.
Prints figures only; targets: start < 2 s (also as a ratio to a one-device start), < 300 MB
resident, median session < 0.5 s, a show command < 50 ms at the median (over SSH, and the
lab's own share of it in-process).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from netmiko import ConnectHandler

from nornir_config.lab.control import control_request
from nornir_config.lab.files import LabAccess, lab_access
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import make_specs

ROOT = Path(__file__).resolve().parents[1]


def province_specs(fallback: int) -> tuple[list[LabDeviceSpec], str]:
    try:
        from nornir_config.cli.lab import inventory_specs
        from nornir_config.settings import RunSettings

        specs = inventory_specs(RunSettings(root=ROOT), [])
        if specs:
            return specs, "inventory"
    except Exception as exc:
        print(f"(inventory not loadable: {type(exc).__name__}: {exc})")
    routers = fallback // 3
    return make_specs(routers, fallback - routers, prefix="BENCH"), "synthetic"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(lab_dir: Path, specs: list[LabDeviceSpec]) -> tuple[subprocess.Popen[bytes], float]:
    run = {"devices": [s.to_dict() for s in specs], "network": "127.102.0.0"}
    (lab_dir / "run.json").write_text(json.dumps(run))
    (lab_dir / "endpoints.json").unlink(missing_ok=True)
    began = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "nornir_config.lab.runner", str(lab_dir)])
    while not (lab_dir / "endpoints.json").exists():
        if proc.poll() is not None:
            raise SystemExit("lab failed to start")
        time.sleep(0.01)
    return proc, time.monotonic() - began


def stop(lab_dir: Path, proc: subprocess.Popen[bytes]) -> None:
    control_request(lab_dir / "control.sock", {"op": "stop"})
    proc.wait(30)


def session(access: LabAccess, name: str) -> float:
    began = time.monotonic()
    with ConnectHandler(**access.netmiko_params(name, fast_cli=True)) as conn:
        conn.send_command("show running-config")
    return time.monotonic() - began


def push_lines(name: str) -> list[str]:
    lines = [f"hostname {name[:40]}-P", "no ip http server", "no ip http secure-server"]
    lines += ["no username cisco", "ip domain name thanhhoa.gov.vn", "ntp server 10.38.0.1"]
    for vid, vname in ((10, "MGMT"), (20, "STAFF"), (30, "ONESTOP"), (40, "VIDEO"), (999, "PARK")):
        lines += [f"vlan {vid}", f" name {vname}"]
    for n in range(1, 25):
        lines += [f"interface GigabitEthernet1/0/{n}", " description staff port"]
        lines += [" switchport access vlan 20", " switchport mode access"]
    lines += ["line vty 0 4", " transport input ssh", " exec-timeout 10 0"]
    return lines


def push(access: LabAccess, name: str) -> None:
    with ConnectHandler(**access.netmiko_params(name, fast_cli=True)) as conn:
        conn.send_config_set(push_lines(name), error_pattern=r"% Invalid input")
        conn.save_config()


def show_latency(access: LabAccess, name: str, rounds: int = 15) -> None:
    """Show commands that read the twin's derived state, against `show clock` (none): the
    command's output up to the next prompt, and Netmiko's `send_command` (its own polling
    adds some 70 ms, the same for every command)."""
    with ConnectHandler(**access.netmiko_params(name, fast_cli=True)) as conn:
        prompt = re.escape(conn.find_prompt()) + r"\s*$"
        baseline = 0.0
        for command in ("show clock", "show interfaces", "show vlan all-ports", "show arp"):
            times, polled = [], []
            for _ in range(rounds):
                began = time.monotonic()
                conn.write_channel(command + "\n")
                conn.read_until_pattern(prompt)
                times.append(time.monotonic() - began)
                began = time.monotonic()
                conn.send_command(command)
                polled.append(time.monotonic() - began)
            median = statistics.median(times)
            baseline = baseline or median
            print(
                f"{command}: median {median * 1000:.1f} ms over SSH to the prompt "
                f"({median / baseline:.2f}x); Netmiko send_command "
                f"{statistics.median(polled) * 1000:.1f} ms"
            )


def show_cost(specs: list[LabDeviceSpec], rounds: int = 15) -> None:
    """The lab's own time for a show command (no SSH, no client polling), in this process:
    warm, and right after a config change in the office (the twin is derived again)."""
    from nornir_config.lab.twin import cable
    from nornir_config.platforms import driver

    devices = {s.name: driver(s.driver).lab.device(s, None) for s in specs}
    cable(devices)
    name = next(s.name for s in specs if s.role != "router" and s.links)
    cli = driver(specs[0].driver).lab.session(devices[name], "bench", 15)
    for command in ("show clock", "show interfaces", "show vlan all-ports", "show arp"):
        warm, changed = [], []
        for n in range(rounds):
            began = time.perf_counter()
            cli.feed(command)
            warm.append(time.perf_counter() - began)
            for line in ("configure terminal", "interface Vlan1", f"description bench {n}", "end"):
                cli.feed(line)
            began = time.perf_counter()
            cli.feed(command)
            changed.append(time.perf_counter() - began)
        print(
            f"{command}: the lab's own time, median {statistics.median(warm) * 1000:.2f} ms "
            f"(after a config change: {statistics.median(changed) * 1000:.2f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=500, help="synthetic lab size")
    parser.add_argument("--sessions", type=int, default=40)
    args = parser.parse_args()
    specs, source = province_specs(args.devices)
    with tempfile.TemporaryDirectory() as tmp:
        lab_dir = Path(tmp)
        proc, cold = start(lab_dir, specs)
        stop(lab_dir, proc)
        proc, one = start(lab_dir, specs[:1])  # the baseline: process, imports, one device
        stop(lab_dir, proc)
        proc, warm = start(lab_dir, specs)
        try:
            time.sleep(0.5)
            memory = rss_mb(proc.pid)
            print(f"devices: {len(specs)} ({source})")
            print(f"lab start: {warm:.2f} s (first start, host keys generated: {cold:.2f} s)")
            per_device = (warm - one) * 1000 / max(len(specs) - 1, 1)
            print(
                f"lab start against one device in the same run: {warm:.2f} s / {one:.2f} s = "
                f"{warm / one:.2f}x ({per_device:.2f} ms a device)"
            )
            print(f"lab memory: {memory:.0f} MB resident")
            access = lab_access(lab_dir)
            names = list(access.endpoints)
            step = max(1, len(names) // args.sessions)
            timings = [session(access, n) for n in names[::step][: args.sessions]]
            print(
                f"netmiko connect + show running-config + disconnect: median "
                f"{statistics.median(timings):.3f} s, max {max(timings):.3f} s "
                f"({len(timings)} sessions)"
            )
            switches = [s.name for s in specs if s.role != "router"][:50]
            began = time.monotonic()
            with ThreadPoolExecutor(max_workers=20) as pool:
                list(pool.map(lambda n: push(access, n), switches))
            took = time.monotonic() - began
            lines = len(push_lines(switches[0]))
            print(
                f"push: {len(switches)} devices x {lines} config lines + write memory, "
                f"20 workers: {took:.1f} s"
            )
            print(f"lab memory after push: {rss_mb(proc.pid):.0f} MB resident")
            show_latency(access, switches[0])
        finally:
            stop(lab_dir, proc)
    show_cost(specs)


if __name__ == "__main__":
    main()
