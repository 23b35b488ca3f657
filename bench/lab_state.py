"""Lab operational-state benchmark: the cabled province in one process, show-command latency.

    .venv/bin/communelan render && .venv/bin/python bench/lab_state.py [--intended build/intended]

Builds every inventory device (LabDevice + twin cabling, no listeners), booted with its
rendered config when `--intended` has one (as after a rollout: ports up, trunks, SVIs; the build
time then includes parsing those configs) else with its day-0 config. Then times show commands
through the CLI engine on 40 devices, right after a config change (the office's state derived
again) and again (cached). Baseline in the same run: `show version`, which reads no derived state.
Targets: build < 2 s, show command median < 50 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import time
from pathlib import Path

from nornir_config.cli.lab import inventory_specs
from nornir_config.lab.twin import cable
from nornir_config.platforms.cisco_ios.lab.cli import Cli
from nornir_config.platforms.cisco_ios.lab.device import LabDevice
from nornir_config.settings import RunSettings, run_settings, set_run_settings

COMMANDS = (
    "show version",
    "show interfaces",
    "show ip interface brief",
    "show vlan all-ports",
    "show cdp neighbors detail",
    "show arp",
)


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser()
    parser.add_argument("--intended", type=Path, default=root / "build" / "intended")
    intended: Path = parser.parse_args().intended
    set_run_settings(RunSettings(root=root))
    specs = inventory_specs(run_settings(), [])
    booted = 0
    for index, spec in enumerate(specs):
        path = intended / f"{spec.name}.cfg"
        if path.exists():
            specs[index] = dataclasses.replace(spec, day0=path.read_text(encoding="utf-8"))
            booted += 1
    print(f"{booted} of {len(specs)} devices booted with their rendered config ({intended})")
    start = time.perf_counter()
    devices = {s.name: LabDevice(s) for s in specs}
    cable(devices)
    built = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cables = sum(len(s.links) for s in specs)
    print(f"devices {len(devices)}, cables {cables}: built in {built:.2f} s, max RSS {rss:.0f} MB")
    sample = list(devices)[:40]
    baseline = 0.0
    for command in COMMANDS:
        changed, cached = [], []
        for name in sample:
            cli = Cli(devices[name], "bench")
            devices[name].touch("bench")  # a config change: the office's state is derived again
            t = time.perf_counter()
            cli.feed(command)
            changed.append(time.perf_counter() - t)
            t = time.perf_counter()
            cli.feed(command)
            cached.append(time.perf_counter() - t)
        median = statistics.median(changed) * 1000
        baseline = baseline or median
        print(
            f"{command:<28} median {median:6.2f} ms after a change "
            f"({median / baseline:5.1f}x show version), {statistics.median(cached) * 1000:6.2f} ms"
            " cached"
        )


if __name__ == "__main__":
    main()
