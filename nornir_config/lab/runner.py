"""The `lab up` background process: `python -m nornir_config.lab.runner LAB_DIR`.

Reads `LAB_DIR/run.json` (device specs, faults, addressing) written by `communelan lab up`,
serves every device until told to stop (control socket or SIGTERM), then cleans up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from nornir_config.collector import collector_paused, keep_for_the_run
from nornir_config.lab.control import serve_control
from nornir_config.lab.files import (
    CONSOLE,
    CONTROL,
    ENDPOINTS,
    KEYS,
    LOGFILE,
    PIDFILE,
    PROGRESS,
    load_or_create_credentials,
    read_progress,
    write_console,
    write_endpoints,
    write_known_hosts,
    write_progress,
)
from nornir_config.lab.server import Lab
from nornir_config.lab.spec import LabDeviceSpec

RUN_FILE = "run.json"
# `lab up` gives up after this long without boot progress (not after a fixed total time).
STALL_S = 60.0


async def serve(lab_dir: Path, run: dict[str, Any]) -> None:
    def progress(step: str, done: int, total: int) -> None:
        write_progress(lab_dir, step, done, total)

    # The devices live as long as the lab: no collector pass re-scans them while they boot,
    # nor after (frozen).
    with collector_paused():
        specs = [LabDeviceSpec.from_dict(s) for s in run["devices"]]
        credentials = load_or_create_credentials(lab_dir)
        progress("devices", 0, len(specs))
        lab = Lab(
            specs,
            credentials,
            keys_dir=lab_dir / KEYS,
            network=run.get("network", "127.100.0.0"),
            base_port=int(run.get("base_port", 0)),
            client_address=run.get("client_address"),
            progress=progress,
        )
        await lab.start()
    keep_for_the_run()
    for pattern, faults in run.get("faults", {}).items():
        await lab.set_faults(pattern, **faults)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    control = await serve_control(lab, lab_dir / CONTROL, stopped)
    write_known_hosts(lab_dir, lab.known_hosts_lines())
    write_console(lab_dir, lab.console)
    write_endpoints(lab_dir, lab.endpoints, {s.name: s.hostname for s in specs})
    (lab_dir / PROGRESS).unlink(missing_ok=True)
    logging.info("lab up: %d devices", len(specs))
    for name, device in lab.devices.items():
        for line in device.boot_errors:
            logging.warning("%s: day-0 line refused: %s", name, line)
    try:
        await stopped.wait()
    finally:
        control.close()
        await lab.stop()
        for name in (ENDPOINTS, CONTROL, PIDFILE, CONSOLE, PROGRESS):
            (lab_dir / name).unlink(missing_ok=True)


class RunnerFailed(RuntimeError):
    """The runner died or stopped booting; it is stopped, the message says why in one line."""


def await_ready(proc: subprocess.Popen[bytes], lab_dir: Path, stall_s: float = STALL_S) -> None:
    """Wait until the runner `proc` serves every device (its endpoints file appears).

    There is no overall deadline: a national lab boots for as long as it needs while its
    progress moves; `stall_s` without any progress, or the runner exiting, stops the wait, and
    then the runner too (its whole process group), so no half-booted lab stays behind.
    """
    last = read_progress(lab_dir)
    moved = time.monotonic()
    try:
        while not (lab_dir / ENDPOINTS).exists():
            code = proc.poll()
            if code is not None:
                raise RunnerFailed(f"the lab process exited with code {code}{_last_log(lab_dir)}")
            now = read_progress(lab_dir)
            if now != last:
                last, moved = now, time.monotonic()
            elif time.monotonic() - moved > stall_s:
                where = f" at {last[0]} {last[1]}/{last[2]}" if last else ""
                raise RunnerFailed(f"the lab made no progress for {stall_s:.0f} s{where}")
            time.sleep(0.05)
    except BaseException:
        stop_runner(proc, lab_dir)
        raise


def stop_runner(proc: subprocess.Popen[bytes], lab_dir: Path) -> None:
    """Stop the runner and everything it started; remove the files of a lab that is not up."""
    if proc.poll() is None:
        for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                if os.getpgid(proc.pid) == proc.pid:  # its own session (`lab up`): all of it
                    os.killpg(proc.pid, sig)
                else:
                    proc.send_signal(sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(wait_s)
                break
            except subprocess.TimeoutExpired:
                continue
    for name in (ENDPOINTS, CONTROL, PIDFILE, CONSOLE, PROGRESS):
        (lab_dir / name).unlink(missing_ok=True)


def _last_log(lab_dir: Path) -> str:
    try:
        lines = (lab_dir / LOGFILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return f": {last[-200:]}" if last else ""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    lab_dir = Path(args[0]).resolve()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    run = json.loads((lab_dir / RUN_FILE).read_text(encoding="utf-8"))
    (lab_dir / PIDFILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
    asyncio.run(serve(lab_dir, run))


if __name__ == "__main__":
    main()
