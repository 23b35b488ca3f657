"""`communelan lab up|status|down|fault`: the device lab as a background process."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption
from nornir_config.errors import InputError
from nornir_config.lab.day0 import day0_facts, read_console
from nornir_config.lab.faults import load_faults
from nornir_config.lab.files import (
    CONTROL,
    CREDENTIALS,
    ENDPOINTS,
    KNOWN_HOSTS,
    LOGFILE,
    PIDFILE,
    LabCredentials,
    lab_credentials,
    write_credentials,
)
from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec
from nornir_config.settings import RunSettings, run_settings

lab_app = typer.Typer(
    help="The device lab: emulated IOS-XE devices on loopback SSH.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")


@dataclass(frozen=True)
class LabPlan:
    """What `lab up` starts: the devices, who operates them, where clients come from."""

    specs: list[LabDeviceSpec]
    credentials: LabCredentials | None
    client_address: str | None


def inventory_specs(settings: RunSettings, filters: list[str]) -> list[LabDeviceSpec]:
    """The selected inventory devices as lab devices (hostname = inventory name)."""
    return lab_plan(settings, filters).specs


def lab_plan(settings: RunSettings, filters: list[str], day0_dir: Path | None = None) -> LabPlan:
    """The selected inventory devices (and, with `day0_dir`, every `<name>.cfg` in it: an
    inventory device boots from its file, a file naming no device adds one); the operator
    account the province's configs keep (its first local user, with its password and the
    enable secret from the secrets store); clients presented from the first NOC address."""
    from nornir_config.filters import apply_filters
    from nornir_config.inventory import build_nornir, province_of
    from nornir_config.secrets import load_secrets

    nr = build_nornir(settings)
    selected = apply_filters(nr, filters)
    names = set(selected.inventory.hosts)
    province = province_of(nr)
    files = sorted(day0_dir.glob("*.cfg")) if day0_dir else []
    texts = {path.stem: _read_day0(path) for path in files}
    specs = [
        _spec(d.name, d.model, d.role, tuple(d.interfaces), texts.pop(d.name, None))
        for d in province.devices
        if d.name in names
    ]
    specs += [_spec(name, "", "", (), text) for name, text in texts.items()]
    users = province.defaults.site.get("local_users") or []
    user = str(users[0]) if isinstance(users, list) and users else None
    secrets = load_secrets(root=settings.root)
    credentials = None
    if user and secrets.values.get(f"password_{user}") and secrets.values.get("enable_secret"):
        credentials = LabCredentials(
            user, secrets.get(f"password_{user}"), secrets.get("enable_secret")
        )
    nets = province.defaults.services.noc_networks
    client = str(next(ipaddress.IPv4Network(str(nets[0])).hosts())) if nets else None
    return LabPlan(specs, credentials, client)


def _read_day0(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError.one(
            str(path), "day-0 config", f"cannot be read ({exc})", "check it"
        ) from exc


def _spec(
    name: str, model: str, role: str, interfaces: tuple[str, ...], day0: str | None
) -> LabDeviceSpec:
    """A lab device; one booting from a real config gets that config's ports, role, model."""
    if day0 is None:
        return LabDeviceSpec(name, name, model, role, interfaces)
    facts = day0_facts(day0)
    return LabDeviceSpec(
        name,
        facts.hostname or name,
        model or facts.model,
        role or facts.role,
        facts.interfaces or interfaces,
        day0,
    )


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
        typer.Option(help="Address the lab's clients come from (default: the first NOC host)."),
    ] = None,
) -> None:
    """Start one emulated device per selected inventory device, in one background process."""
    settings = run_settings()
    lab_dir = settings.lab_dir
    if _pid(lab_dir):
        raise InputError.one(str(lab_dir), "lab", "is already running", "communelan lab down first")
    if day0 is not None and not day0.is_dir():
        raise InputError.one(str(day0), "--day0", "is not a folder", "give a folder of <name>.cfg")
    if client_address is not None:
        try:
            ipaddress.IPv4Address(client_address)
        except ValueError:
            raise InputError.one(
                "--client-address", client_address, "is not an IPv4 address", "e.g. 10.38.1.10"
            ) from None
    fault_map = load_faults(faults) if faults else {}
    plan = lab_plan(settings, filters or [], day0)
    specs = plan.specs
    lab_dir.mkdir(parents=True, exist_ok=True)
    (lab_dir / ENDPOINTS).unlink(missing_ok=True)
    if plan.credentials is not None:
        write_credentials(lab_dir, plan.credentials)
    run = {
        "devices": [s.to_dict() for s in specs],
        "faults": fault_map,
        "base_port": base_port,
        "network": network,
        "client_address": client_address or plan.client_address,
    }
    from nornir_config.lab.runner import RUN_FILE

    (lab_dir / RUN_FILE).write_text(json.dumps(run), encoding="utf-8")
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
    while not (lab_dir / ENDPOINTS).exists():
        if proc.poll() is not None:
            raise InputError.one(
                str(lab_dir / LOGFILE), "lab", "failed to start", "read the log; is a port in use?"
            )
        if time.monotonic() - started > 60:
            raise InputError.one(
                str(lab_dir / LOGFILE), "lab", "did not start in 60 s", "read the log"
            )
        time.sleep(0.05)
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
        info.update(control_request(lab_dir / CONTROL, {"op": "status"}))
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
    endpoint = read_console(lab_dir)
    console.print(
        f"console {host}: password is the lab password in {lab_dir / CREDENTIALS}",
        highlight=False,
    )
    _ = lab_credentials(lab_dir)  # fails clearly when the lab folder is incomplete
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
