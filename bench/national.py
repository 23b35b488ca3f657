"""The whole country (3,321 communes, ~10,650 devices) against one 166-commune province, in the
same run: `init`, `render`, `lint`, `inventory` and (unless --skip-lab) `lab up` / `lab down`,
each as a user runs it (a fresh `communelan` process), wall time and peak memory (RSS of the
process and its children, from wait4; for `lab up` that is the command, not the detached lab
process), CPU time, and the CPU time per device relative to the province.

Run: nice .venv/bin/python bench/national.py [--skip-lab] [--network 127.16.0.0 --base-port 26000]
(COMMUNELAN_PROCESSES=1 measures render and lint in one process.)
Targets for the country (issue 13): render < 8 s, lint < 10 s and < 400 MB, inventory < 3 s,
lab up < 15 s and < 1 GB.

Each step prints the 1-minute load average when it started: on a shared machine the wall time
mostly measures the others, so the table also gives CPU seconds / cores, the wall time the
step would take on an otherwise idle machine if its work split evenly across the cores (the
serial parts make the real figure somewhat higher; for `lab up` the CPU of the command and of
the lab process it starts, not divided: the lab boots in one process), and whether that
meets the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nornir_config.secrets import write_secrets_file

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "enable_secret": "Bench-Enable-1",
    "password_admin": "Bench-Admin-1",
    "ntp_key": "BenchNtp1",
    "snmp_auth_key": "BenchSnmpAuth1",
    "snmp_priv_key": "BenchSnmpPriv1",
    "tacacs_key": "BenchTacacs1",
}


TARGETS = {"render": (8.0, None), "lint": (10.0, 400.0), "inventory": (3.0, None)}
TARGETS["lab up"] = (15.0, 1024.0)


def run(root: Path, env: dict[str, str], *args: str) -> tuple[float, float, float, float]:
    """Wall seconds, CPU seconds and peak MB of one `communelan` command (children included),
    and the 1-minute load average when it started."""
    started_load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nornir_config", "--root", str(root), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise StepFailed(f"`communelan {' '.join(args)}` failed: {stderr.strip()[-300:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, started_load


class StepFailed(RuntimeError):
    """A step exited non-zero: reported in the table, the other steps still run."""


def project(base: Path, province: str) -> Path:
    root = base / province.replace(",", "-")
    root.mkdir()
    (root / "templates").symlink_to(ROOT / "templates")
    shutil.copy(ROOT / "config.yaml", root / "config.yaml")
    return root


def devices(root: Path, env: dict[str, str]) -> int:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "nornir_config",
            "--root",
            str(root),
            "inventory",
            "--format",
            "csv",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return len(out.splitlines()) - 1


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def lab_usage(root: Path) -> tuple[float, float]:
    """Resident MB and CPU seconds so far of the running lab process (zeros when none is up):
    `lab up` starts it detached, so wait4 counts neither its memory nor its boot's CPU."""
    try:
        pid = (root / ".lab" / "lab.pid").read_text().strip()
        status = Path(f"/proc/{pid}/status").read_text()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0, 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return int(line.split()[1]) / 1024, ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-lab", action="store_true", help="Do not boot the lab.")
    parser.add_argument("--province", default="38", help="The baseline province (default 38).")
    parser.add_argument("--network", default="127.16.0.0")
    parser.add_argument("--base-port", default="26000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="communelan-national-") as tmp:
        base = Path(tmp)
        secrets = write_secrets_file(base / "secrets.yaml", SECRETS)
        env = {**os.environ, "COMMUNELAN_SECRETS_FILE": str(secrets), "NO_COLOR": "1"}
        env.pop("COMMUNELAN_ROOT", None)
        steps: list[tuple[str, tuple[str, ...]]] = [
            ("render", ("render",)),
            ("lint", ("lint",)),
            ("inventory", ("inventory",)),
        ]
        if not args.skip_lab:
            lab = ("--network", args.network, "--base-port", args.base_port)
            steps.append(("lab up", ("lab", "up", *lab)))
        started_load = load()
        lab_mb: dict[str, float] = {}
        figures: dict[str, dict[str, tuple[float, float, float, float]]] = {}
        counts: dict[str, int] = {}
        failures: dict[tuple[str, str], str] = {}
        for label, province in (("province", args.province), ("country", "all")):
            root = project(base, province)
            figures[label] = {"init": run(root, env, "init", "--province", province)}
            counts[label] = devices(root, env)
            for name, command in steps:
                try:
                    figures[label][name] = run(root, env, *command)
                except StepFailed as exc:
                    failures[(label, name)] = str(exc)
                finally:
                    if name == "lab up":
                        lab_mb[label], lab_cpu = lab_usage(root)
                        if name in figures[label]:  # the lab's boot CPU with the command's
                            wall, cpu, mb, started = figures[label][name]
                            figures[label][name] = (wall, cpu + lab_cpu, mb, started)
                        subprocess.run(
                            [sys.executable, "-m", "nornir_config", "--root", str(root), "lab",
                             "down"],
                            env=env,
                            capture_output=True,
                            check=False,
                        )  # fmt: skip
        small, big = counts["province"], counts["country"]
        print(f"baseline province {args.province}: {small} devices; country: {big} devices")
        print(
            f"machine: {os.cpu_count()} cores, load average {started_load} before, "
            f"{load()} after (shared: wall times carry the others' load, CPU times less so)"
        )
        for label, mb in lab_mb.items():
            print(f"{label} lab process: {mb:.0f} MB resident once up")
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        print(
            f"{'step':<10} {'province s':>10} {'country s':>10} {'load':>5} {'cpu s':>7} "
            f"{'cpu/cores':>9} {'MB':>6} {'per dev':>8} {'target':>13} {'met':>5}"
        )
        for name in [n for n in figures["country"] if n in figures["province"]]:
            p_s, p_cpu, _, _ = figures["province"][name]
            c_s, c_cpu, c_mb, c_load = figures["country"][name]
            ratio = (c_cpu / big) / (p_cpu / small)
            seconds, megabytes = TARGETS.get(name, (float("inf"), None))
            if name == "lab up":  # the detached lab process holds the devices, not the command
                c_mb = max(c_mb, lab_mb.get("country", 0.0))
            # The lab boots in one process (asyncio) beside the command: its CPU does not split.
            quiet = c_cpu if name == "lab up" else c_cpu / cores
            target = f"<{seconds:g}s" + (f" <{megabytes:g}MB" if megabytes else "")
            target = target if name in TARGETS else "-"
            mb_ok = megabytes is None or c_mb < megabytes
            met = "yes" if c_s < seconds else "idle" if quiet < seconds else "no"
            met = met if mb_ok else "no"
            print(
                f"{name:<10} {p_s:>10.2f} {c_s:>10.2f} {c_load:>5.1f} {c_cpu:>7.2f} "
                f"{quiet:>9.2f} {c_mb:>6.0f} {ratio:>7.2f}x {target:>13} {met:>5}"
            )
        print(
            "load: 1-minute load average at the step's start; per dev: CPU time per device, "
            "country against the province; met: yes (wall), idle (only CPU/cores meets it: "
            "the wall time would on an idle machine), no"
        )
        for (label, name), why in failures.items():
            print(f"{label} {name}: {why}")


if __name__ == "__main__":
    main()
