"""`communelan lab up|status|down|fault`: the device lab as a background process."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption
from nornir_config.errors import InputError
from nornir_config.lab.faults import fault_problem, load_faults
from nornir_config.lab.files import CONTROL, CREDENTIALS, ENDPOINTS, KNOWN_HOSTS, LOGFILE, PIDFILE
from nornir_config.lab.plan import lab_plan
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec
from nornir_config.settings import RunSettings, run_settings

if TYPE_CHECKING:
    pass

lab_app = typer.Typer(
    help="The device lab: emulated devices, each in its vendor's dialect, on loopback SSH.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")


def inventory_specs(settings: RunSettings, filters: list[str]) -> list[LabDeviceSpec]:
    """The selected inventory devices as lab devices (hostname = inventory name)."""
    from nornir_config.filters import apply_filters
    from nornir_config.inventory import build_nornir, province_of
    from nornir_config.sot.cabling import cables

    nr = build_nornir(settings)
    selected = apply_filters(nr, filters)
    names = set(selected.inventory.hosts)
    devices = province_of(nr).devices
    ports = {d.name: set(d.interfaces) for d in devices}
    return [
        LabDeviceSpec(
            d.name,
            d.name,
            d.model,
            d.role,
            tuple(d.interfaces),
            links=cables(d, ports),
            driver=d.platform,
            address=str(d.mgmt_ip),
            noc=d.province.services.noc_host,
        )
        for d in devices
        if d.name in names
    ]


def _pid(lab_dir: Path) -> int | None:
    try:
        pid = int((lab_dir / PIDFILE).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@lab_app.command("up")
def up(
    filters: FilterOption = None,
    faults: Annotated[
        Path | None, typer.Option("--faults", help="YAML: device or glob -> faults.")
    ] = None,
    base_port: Annotated[
        int, typer.Option(help="Port of the first device; the rest follow.")
    ] = 22001,
    network: Annotated[
        str, typer.Option(help="Loopback block the device addresses come from.")
    ] = "127.100.0.0",
    day0: Annotated[
        Path | None,
        typer.Option(
            "--day0",
            help="Folder of `<hostname>.cfg` running configs (a backup folder works as it is): "
            "each device boots from its own.",
        ),
    ] = None,
    client_address: Annotated[
        str | None,
        typer.Option(
            help="Address the lab's clients come from (default: the first NOC host of each "
            "device's own province)."
        ),
    ] = None,
) -> None:
    """Start one emulated device per selected inventory device, in one background process."""
    settings = run_settings()
    lab_dir = settings.lab_dir
    if _pid(lab_dir):
        raise InputError.one(str(lab_dir), "lab", "is already running", "communelan lab down first")
    check_loopback(network)
    fault_map = load_faults(faults) if faults else {}
    if day0 is not None and not day0.is_dir():
        raise InputError.one(str(day0), "--day0", "is not a folder", "give a folder of <name>.cfg")
    if client_address is not None:
        try:
            ipaddress.IPv4Address(client_address)
        except ValueError:
            raise InputError.one(
                "--client-address", client_address, "is not an IPv4 address", "e.g. 10.0.1.10"
            ) from None
    plan = lab_plan(settings, inventory_specs(settings, filters or []), day0)
    specs = plan.specs
    lab_dir.mkdir(parents=True, exist_ok=True)
    (lab_dir / ENDPOINTS).unlink(missing_ok=True)
    if plan.credentials is not None:
        from nornir_config.lab.files import write_credentials

        write_credentials(lab_dir, plan.credentials)
    run = {
        "devices": [s.to_dict() for s in specs],
        "faults": fault_map,
        "base_port": base_port,
        "network": network,
        "client_address": client_address or plan.client_address,
    }
    from nornir_config.lab.files import PROGRESS
    from nornir_config.lab.runner import RUN_FILE, RunnerFailed, await_ready

    (lab_dir / PROGRESS).unlink(missing_ok=True)
    (lab_dir / RUN_FILE).write_text(json.dumps(run), encoding="utf-8")
    _raise_open_files_limit(len(specs))
    started = time.monotonic()
    with open(lab_dir / LOGFILE, "ab") as logfile:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nornir_config.lab.runner", str(lab_dir)],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=settings.root,
        )
    try:
        await_ready(proc, lab_dir)
    except RunnerFailed as exc:
        raise InputError.one(
            str(lab_dir / LOGFILE), "lab", f"{exc}; stopped it", "read the log (a port in use?)"
        ) from None
    console.print(
        f"lab up: {len(specs)} devices in {time.monotonic() - started:.1f} s (pid {proc.pid}); "
        f"addresses {lab_dir / ENDPOINTS}, login {lab_dir / CREDENTIALS}, "
        f"host keys {lab_dir / KNOWN_HOSTS}",
        highlight=False,
    )


@lab_app.command("status")
def status(
    output_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Whether the lab runs, how many devices and sessions, which faults are set."""
    from nornir_config.lab.control import control_request

    lab_dir = run_settings().lab_dir
    pid = _pid(lab_dir)
    info: dict[str, Any] = {"running": False, "lab_dir": str(lab_dir)}
    if pid:
        try:
            info.update(control_request(lab_dir / CONTROL, {"op": "status"}))
        except OSError as exc:
            raise InputError.one(
                str(lab_dir / CONTROL),
                "lab",
                f"pid {pid} does not answer ({exc.strerror or type(exc).__name__}): "
                "it is stopping or died",
                "communelan lab down, then lab up",
            ) from None
        info.update(running=True, pid=pid)
        info.pop("ok", None)
    if output_json:
        console.print_json(json.dumps(info))
        return
    if not pid:
        console.print("lab: not running")
        raise typer.Exit(1)
    endpoints = json.loads((lab_dir / ENDPOINTS).read_text())["devices"]
    table = Table(title=f"lab: {info['devices']} devices, {info['sessions']} sessions, pid {pid}")
    for column in ("device", "address", "port", "faults"):
        table.add_column(column)
    for name, e in endpoints.items():
        faults = info["faults"].get(name, {})
        table.add_row(
            name, e["host"], str(e["port"]), ", ".join(f"{k}={v}" for k, v in faults.items())
        )
    console.print(table)


@lab_app.command("down")
def down() -> None:
    """Stop the background lab."""
    from nornir_config.lab.control import control_request

    lab_dir = run_settings().lab_dir
    pid = _pid(lab_dir)
    if not pid:
        console.print("lab: not running")
        return
    try:
        control_request(lab_dir / CONTROL, {"op": "stop"})
    except OSError:
        os.kill(pid, 15)
    for _ in range(200):
        if _pid(lab_dir) is None:
            break
        time.sleep(0.05)
    console.print(f"lab down (pid {pid})")


@lab_app.command("console")
def console_cmd(
    host: Annotated[str, typer.Argument(help="Device (inventory name).")],
) -> None:
    """Open the device's console: it always gets in, whatever its login config (recovery)."""
    lab_dir = run_settings().lab_dir
    if not _pid(lab_dir):
        raise InputError.one(str(lab_dir), "lab", "is not running", "communelan lab up")
    data = json.loads((lab_dir / ENDPOINTS).read_text(encoding="utf-8"))
    if host not in data["devices"]:
        raise InputError.one(host, "device", "is not in the lab", "communelan lab status")
    ssh = shutil.which("ssh")
    if ssh is None:
        raise InputError.one("ssh", "client", "is not installed", "install openssh-client")
    from nornir_config.lab.files import read_console

    endpoint = read_console(lab_dir)
    console.print(
        f"console {host}: password is the lab password in {lab_dir / CREDENTIALS}",
        highlight=False,
    )
    os.execv(
        ssh,
        [
            "ssh",
            "-p",
            str(endpoint.port),
            "-o",
            f"UserKnownHostsFile={lab_dir / KNOWN_HOSTS}",
            "-o",
            "StrictHostKeyChecking=yes",
            f"{host}@{endpoint.host}",
        ],
    )


@lab_app.command("fault")
def fault(
    device: Annotated[str, typer.Argument(help="Device name or glob (`*` for all).")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help=f"FAULT=VALUE, repeatable; faults: {', '.join(DeviceFaults.names())}."
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Clear every fault first.")] = False,
) -> None:
    """Set or clear faults on running lab devices, e.g. `--set latency=0.5 --set drop_after=3`."""
    from nornir_config.lab.control import control_request

    lab_dir = run_settings().lab_dir
    if not _pid(lab_dir):
        raise InputError.one(str(lab_dir), "lab", "is not running", "communelan lab up")
    changes: dict[str, Any] = {}
    for item in set_ or []:
        key, sep, value = item.partition("=")
        if not sep or key not in DeviceFaults.names():
            raise InputError.one(
                "--set", item, "is not FAULT=VALUE", f"faults: {', '.join(DeviceFaults.names())}"
            )
        changes[key] = _value(value)
        if key in ("reject_commands", "ignore_commands") and changes[key] is None:
            changes[key] = []
        problem = fault_problem("--set", item, key, changes[key])
        if problem is not None:
            raise InputError([problem])
    if clear:
        control_request(lab_dir / CONTROL, {"op": "clear_faults", "device": device})
    reply = control_request(
        lab_dir / CONTROL, {"op": "faults", "device": device, "faults": changes}
    )
    if not reply.get("ok"):
        raise InputError.one("--set", device, reply.get("error", "failed"), "check the device name")
    console.print(f"faults set on {len(reply['devices'])} device(s)")


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return [text]


def check_loopback(network: str) -> None:
    """The lab's devices listen on loopback addresses only (they accept known logins)."""
    import ipaddress

    try:
        address = ipaddress.IPv4Address(network)
    except ValueError:
        raise InputError.one(
            "--network", network, "is not an IPv4 address", "e.g. 127.100.0.0"
        ) from None
    if not address.is_loopback:
        raise InputError.one(
            "--network",
            network,
            "is not a loopback address: the lab listens on 127.0.0.0/8 only",
            "use e.g. 127.100.0.0",
        )


def _raise_open_files_limit(devices: int) -> None:
    """One listening socket per device plus sessions and logs: raise the soft limit (inherited
    by the lab process) or say in one line how, instead of failing with 'is a port in use?'."""
    import resource

    needed = devices + 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise InputError.one(
                "open files",
                f"limit {hard}",
                f"{devices} lab devices need {needed} open files",
                f"raise the hard limit, e.g. `ulimit -Hn {needed}` as root, or select fewer "
                "devices with --filter",
            )
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
