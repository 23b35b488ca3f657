"""Push throughput against the lab: first push and no-op second push, merge and replace,
with the workers used, and a sequential (one device at a time) baseline in the same run.

    .venv/bin/python bench/push.py --communes 20 --workers 20

Each slice of communes gets its own devices in one in-process lab. Intended configs are the
devices' day-0 configs with a handful of changes (as in tests/push), because the lab's CLI
grammar does not accept every line of the full rendered configs yet.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nornir_config.lab import hconfig  # noqa: E402
from nornir_config.lab.spec import LabDeviceSpec  # noqa: E402
from nornir_config.lab.testing import start_lab, stop_lab  # noqa: E402
from nornir_config.project import open_project  # noqa: E402
from nornir_config.push import PushOptions, run_push  # noqa: E402
from nornir_config.settings import RunSettings, set_run_settings  # noqa: E402


def intended_of(day0: str) -> str:
    tree = hconfig.parse(day0)
    http = tree.get_child(equals="ip http server")
    if http is not None:
        http.delete()
    tree.add_child("no ip http server")
    tree.add_child("ip domain name thanhhoa.gov.vn")
    tree.add_child("logging buffered 64000 informational")
    interface = tree.get_child(startswith="interface GigabitEthernet")
    if interface is not None:
        interface.add_child("description BENCH uplink")
    return hconfig.render(tree)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=20, help="communes per slice")
    parser.add_argument("--workers", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="communelan-bench-"))
    secrets = tmp / "secrets.yaml"
    names = ("enable_secret", "password_admin", "ntp_key", "snmp_auth_key", "snmp_priv_key")
    secrets.write_text("".join(f"{n}: bench-{n}-value\n" for n in (*names, "tacacs_key")))
    secrets.chmod(stat.S_IRUSR | stat.S_IWUSR)
    os.environ["COMMUNELAN_SECRETS_FILE"] = str(secrets)
    root = tmp / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(REPO / name)
    set_run_settings(RunSettings(root=root, lab=True))
    everything = open_project([])
    codes = sorted({h.data["code"] for h in everything.nr.inventory.hosts.values()})
    slices = {
        "merge": codes[: args.communes],
        "sequential": codes[args.communes : 2 * args.communes],
        "replace": codes[2 * args.communes : 3 * args.communes],
    }
    chosen = {c for part in slices.values() for c in part}
    specs = [
        LabDeviceSpec(h.name, h.name, h.data["model"], h.data["role"])
        for h in everything.nr.inventory.hosts.values()
        if h.data["code"] in chosen
    ]
    started = time.perf_counter()
    lab = start_lab(specs, tmp / "lab")
    (root / ".lab").symlink_to(tmp / "lab")
    print(f"lab: {len(specs)} devices up in {time.perf_counter() - started:.1f} s")
    out = root / "build" / "intended"
    out.mkdir(parents=True)
    future = time.time() + 3600
    for spec in specs:
        text = intended_of(lab.call(lambda s=spec: lab.device(s.name).body()))
        (out / f"{spec.name}.cfg").write_text(text)
        os.utime(out / f"{spec.name}.cfg", (future, future))
    figures: dict[str, float] = {}
    try:
        for label, method, workers in (
            ("merge", "merge", args.workers),
            ("sequential", "merge", 1),
            ("replace", "replace", args.workers),
        ):
            codes_filter = [f"code={','.join(slices[label])}"]
            for attempt in ("first", "no-op"):
                project = open_project(codes_filter, num_workers=workers)
                t0 = time.perf_counter()
                run = run_push(project, PushOptions(method=method, workers=workers))
                seconds = time.perf_counter() - t0
                counts: dict[str, int] = {}
                for r in run.reports.values():
                    counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
                figures[f"{label} {attempt}"] = len(run.reports) / seconds
                print(
                    f"{label:10s} {method:7s} workers={workers:<3d} {attempt:5s} push: "
                    f"{len(run.reports)} devices in {seconds:6.1f} s "
                    f"({len(run.reports) / seconds:5.1f} dev/s) {counts}"
                )
    finally:
        stop_lab(lab)
    ratio = figures["merge first"] / figures["sequential first"]
    print(f"parallel speed-up over sequential (first push, devices/s): {ratio:.1f}x")
    ratio = figures["merge no-op"] / figures["sequential no-op"]
    print(f"parallel speed-up over sequential (no-op push, devices/s): {ratio:.1f}x")


if __name__ == "__main__":
    main()
