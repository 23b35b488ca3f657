"""The lab's own config model: province boot, `show running-config`, typed lines, day-0 boots.

    .venv/bin/python bench/lab_model.py

Prints figures only (targets from issue 11: whole province < 2 s and < 300 MB in one process;
a show command < 50 ms at the median). CPU time is printed beside wall time because the
machine is shared: wall time there measures the neighbours as much as the lab.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nornir_config.cli.lab import inventory_specs  # noqa: E402
from nornir_config.lab.server import Lab  # noqa: E402
from nornir_config.lab.spec import LabDeviceSpec  # noqa: E402
from nornir_config.lab.testing import TEST_CREDENTIALS  # noqa: E402
from nornir_config.platforms.cisco_ios.lab.cli import Cli  # noqa: E402
from nornir_config.platforms.cisco_ios.lab.day0 import day0_facts  # noqa: E402
from nornir_config.settings import RunSettings  # noqa: E402


def main() -> None:
    specs = inventory_specs(RunSettings(root=ROOT), [])
    wall, cpu = time.perf_counter(), time.process_time()
    lab = Lab(specs, TEST_CREDENTIALS)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"province: {len(specs)} devices built in {wall:.2f} s wall, {cpu:.2f} s CPU; "
        f"max RSS {rss:.0f} MB"
    )
    devices = list(lab.devices.values())[:200]
    shows, lines = [], []
    for device in devices:
        cli = Cli(device, "bench")
        start = time.perf_counter()
        cli.feed("show running-config")
        shows.append(time.perf_counter() - start)
        cli.feed("configure terminal")
        port = device.spec.interfaces[1]
        start = time.perf_counter()
        cli.feed(f"interface {port}")
        cli.feed("description bench")
        lines.append((time.perf_counter() - start) / 2)
    print(
        f"show running-config: median {statistics.median(shows) * 1000:.2f} ms "
        f"({len(shows)} devices)"
    )
    print(f"typed config line: median {statistics.median(lines) * 1000:.3f} ms")
    corpus = sorted((ROOT / "tests").glob("**/day0/*.cfg")) + sorted(
        (ROOT / "tests" / "brownfield" / "corpus").glob("*.cfg")
    )
    times, refused = [], 0
    for path in corpus:
        text = path.read_text(encoding="utf-8")
        facts = day0_facts(text)
        spec = LabDeviceSpec(path.stem, path.stem, facts.model, facts.role, facts.interfaces, text)
        start = time.perf_counter()
        booted = Lab([spec], TEST_CREDENTIALS)
        times.append(time.perf_counter() - start)
        refused += sum(len(d.boot_errors) for d in booted.devices.values())
    if times:
        print(
            f"day-0 boots: {len(times)} real configs, median {statistics.median(times) * 1000:.1f}"
            f" ms each, {refused} lines refused"
        )


if __name__ == "__main__":
    main()
