"""Render the whole province through `communelan render` and through a plain Jinja2 loop.

Both use the same templates and the same per-device contexts, in the same run; the figure that
matters is the ratio (target <= 1.5) and the wall time of the command (target < 3 s).
Run: .venv/bin/python bench/render.py  (needs COMMUNELAN_SECRETS_FILE or test secrets, made here)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jinja2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nornir_config.context import device_context  # noqa: E402
from nornir_config.inventory import build_nornir, province_of  # noqa: E402
from nornir_config.secrets import load_secrets, required_secrets, write_secrets_file  # noqa: E402
from nornir_config.settings import RunSettings  # noqa: E402


def secrets_file(folder: Path) -> Path:
    names = required_secrets(["admin"])
    return write_secrets_file(folder / "secrets.yaml", {n: f"bench-{n}" for n in names})


def plain_jinja(out: Path) -> float:
    """Baseline: load inventory, build the same contexts, render with one Environment, write."""
    started = time.perf_counter()
    nr = build_nornir(RunSettings(root=REPO))
    province = province_of(nr)
    secrets = load_secrets()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(REPO / "templates" / "cisco_ios")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    for device in province.devices:
        text = env.get_template(f"{device.role}.j2").render(
            **device_context(device, province.defaults, secrets)
        )
        (out / f"{device.name}.cfg").write_text(text, encoding="utf-8")
    return time.perf_counter() - started


def plain_process(out: Path) -> float:
    """The baseline as a process of its own, so both sides pay interpreter start-up."""
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--plain", str(out)], check=True)
    return time.perf_counter() - started


def command(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "nornir_config", "--root", str(REPO), "render", "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def python_startup() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import nornir_config.cli"], check=True)
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--plain":
        plain_jinja(Path(sys.argv[2]))
        return
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["COMMUNELAN_SECRETS_FILE"] = str(secrets_file(folder))
        plain, plain_proc, cold, warm, startup = [], [], [], [], []
        for i in range(rounds):
            out_plain = folder / f"plain{i}"
            out_cmd = folder / f"cmd{i}"
            out_plain.mkdir()
            plain.append(plain_jinja(out_plain))
            plain_proc.append(plain_process(out_plain))
            cold.append(command(out_cmd))  # every file written
            warm.append(command(out_cmd))  # nothing changed, nothing rewritten
            startup.append(python_startup())
        devices = len(list((folder / "cmd0").glob("*.cfg")))
    p, pp, c, w, s = (statistics.median(x) for x in (plain, plain_proc, cold, warm, startup))
    print(f"devices rendered:                        {devices}  (median of {rounds} rounds)")
    print(f"plain Jinja2 loop, in-process:           {p:.2f} s")
    print(f"plain Jinja2 loop, as a process:         {pp:.2f} s")
    print(f"communelan render, all files written:    {c:.2f} s   target < 3 s")
    print(f"communelan render, nothing changed:      {w:.2f} s")
    print(f"  of which interpreter + CLI start-up:   {s:.2f} s")
    print(f"ratio communelan render / plain process: {c / pp:.2f}   target <= 1.5")
    print(f"ratio, both without start-up:            {(c - s) / p:.2f}")


if __name__ == "__main__":
    main()
