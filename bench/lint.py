"""Lint of the whole province against render alone, in the same run (target: lint <= 2x render).

Run: .venv/bin/python bench/lint.py [--repeat N]
In process: render is `run_render` over the Nornir inventory (what `communelan render` does,
without writing files); lint is `run_lint` with every shipped pack (it renders each device
itself), measured twice: in one process (COMMUNELAN_PROCESSES=1; a province stays below the
split threshold anyway) and split in two (half the devices in a forked child).
End to end: the two commands as CI runs them (`communelan render --out TMP` with test
secrets, `communelan lint`), process start included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nornir_config.inventory import build_nornir, province_of
from nornir_config.lint import devicepass
from nornir_config.lint.engine import placeholder_secrets, run_lint
from nornir_config.lint.packs import select_packs
from nornir_config.parallel import PROCESSES_ENV
from nornir_config.render import run_render
from nornir_config.secrets import required_secrets, write_secrets_file
from nornir_config.settings import RunSettings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = RunSettings(root=ROOT)
    packs = select_packs([], ROOT)
    renders: list[float] = []
    lints: list[float] = []
    two: list[float] = []
    devices = findings = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        nr = build_nornir(settings)
        province = province_of(nr)
        summary = run_render(
            nr, province, placeholder_secrets(province.devices), settings.templates_dir, None
        )
        renders.append(time.perf_counter() - started)
        os.environ[PROCESSES_ENV] = "1"
        started = time.perf_counter()
        report = run_lint(ROOT, packs)
        lints.append(time.perf_counter() - started)
        os.environ[PROCESSES_ENV] = "2"
        threshold, devicepass.PARALLEL_MIN_PART = devicepass.PARALLEL_MIN_PART, 100
        try:
            started = time.perf_counter()
            forked = run_lint(ROOT, packs)
            two.append(time.perf_counter() - started)
        finally:
            del os.environ[PROCESSES_ENV]
            devicepass.PARALLEL_MIN_PART = threshold
        assert forked.findings == report.findings, "the forked lint disagrees"
        devices, findings = len(summary.configs), len(report.findings)
    render_s = statistics.median(renders)
    rules = sum(len(p.rules) for p in packs)
    print(f"devices: {devices}, rules: {rules}, findings: {findings}, repeats: {args.repeat}")
    print(f"{'render alone, median:':30s}{render_s:.2f} s  [{_times(renders)}]")
    for label, times in (("lint (one process)", lints), ("lint, forked child", two)):
        lint_s = statistics.median(times)
        verdict = "within" if lint_s <= 2 * render_s else "OVER"
        print(
            f"{label + ', median:':30s}{lint_s:.2f} s  [{_times(times)}]  "
            f"lint / render = {lint_s / render_s:.2f}x ({verdict} the 2x target)"
        )
    cli_render, cli_lint = end_to_end(args.repeat)
    verdict = "within" if cli_lint <= 2 * cli_render else "OVER"
    print(
        f"end to end (median): render {cli_render:.2f} s, lint {cli_lint:.2f} s: "
        f"{cli_lint / cli_render:.2f}x ({verdict} the 2x target)"
    )


def _times(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def end_to_end(repeat: int) -> tuple[float, float]:
    """Median wall time of `communelan render` and `communelan lint` as separate processes."""
    command = [
        sys.executable,
        "-c",
        "from nornir_config.cli import main; main()",
        "--root",
        str(ROOT),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        names = required_secrets(["admin"])
        secrets = write_secrets_file(
            Path(tmp) / "secrets.yaml", {n: f"bench-{n[:10]}" for n in names}
        )
        env = {**os.environ, "COMMUNELAN_SECRETS_FILE": str(secrets)}
        renders, lints = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(
                [*command, "render", "--out", f"{tmp}/out"],
                env=env,
                check=True,
                capture_output=True,
            )
            renders.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run([*command, "lint"], env=env, check=False, capture_output=True)
            lints.append(time.perf_counter() - started)
    return statistics.median(renders), statistics.median(lints)


if __name__ == "__main__":
    main()
