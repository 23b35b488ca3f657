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
import sys
from pathlib import Path
from typing import Any

from nornir_config.lab.control import serve_control
from nornir_config.lab.files import (
    CONSOLE,
    CONTROL,
    ENDPOINTS,
    KEYS,
    PIDFILE,
    load_or_create_credentials,
    write_console,
    write_endpoints,
    write_known_hosts,
)
from nornir_config.lab.server import Lab
from nornir_config.lab.spec import LabDeviceSpec

RUN_FILE = "run.json"


async def serve(lab_dir: Path, run: dict[str, Any]) -> None:
    specs = [LabDeviceSpec.from_dict(s) for s in run["devices"]]
    credentials = load_or_create_credentials(lab_dir)
    lab = Lab(
        specs,
        credentials,
        keys_dir=lab_dir / KEYS,
        network=run.get("network", "127.100.0.0"),
        base_port=int(run.get("base_port", 0)),
        client_address=run.get("client_address"),
    )
    await lab.start()
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
    logging.info("lab up: %d devices", len(specs))
    for name, device in lab.devices.items():
        for line in device.boot_errors:
            logging.warning("%s: day-0 line refused: %s", name, line)
    try:
        await stopped.wait()
    finally:
        control.close()
        await lab.stop()
        for name in (ENDPOINTS, CONTROL, PIDFILE, CONSOLE):
            (lab_dir / name).unlink(missing_ok=True)


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
